"""Tests for newsdesk.extract.html: the seed page, fixture pages, refusals, hostile bytes.

Fixture pages in tests/data/html/ carry their expectations in a header comment
(``<!-- newsdesk extract fixture`` ... ``-->``), one ``expect-KEY: value`` per line; each such
fixture is one test case (feedparser's habit).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.errors import ExtractionError
from newsdesk.extract.html import extract_html, extract_html_with_confidence
from newsdesk.extract.meta import clean_title, parse_date, primary_lang
from newsdesk.model import Article

HERE = Path(__file__).parent
FIXTURES = HERE / "data" / "html"
SEED = HERE.parent.parent / "shared" / "seed" / "chile-peru-border.html"
HEADER = re.compile(rb"<!-- newsdesk extract fixture\n(.*?)-->", re.DOTALL)


def _expectations(path: Path) -> list[tuple[str, str]]:
    data = path.read_bytes()
    match = HEADER.search(data)
    assert match, f"{path.name} has no expectation header"
    # Headers may hold accented text in the page's own charset (utf-8 or latin-1).
    try:
        header = match.group(1).decode("utf-8")
    except UnicodeDecodeError:
        header = match.group(1).decode("latin-1")
    out = []
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if key.startswith("expect-"):
            out.append((key.removeprefix("expect-"), value.strip()))
    return out


def _fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.htm*") if HEADER.search(p.read_bytes()))


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.name)
def test_fixture_page(path: Path) -> None:
    expect = _expectations(path)
    data = path.read_bytes()
    errors = [v for k, v in expect if k == "error"]
    if errors:
        with pytest.raises(ExtractionError, match=re.escape(errors[0])):
            extract_html(data, url="https://valleyherald.example/page")
        return
    article = extract_html(data, url="https://valleyherald.example/page")
    for key, value in expect:
        if key == "title":
            assert article.title == value
            assert article.text.count(value) == 0  # shown once: not repeated in the body
        elif key == "source":
            assert article.source == value
        elif key == "url":
            assert article.url == value
        elif key == "lang":
            assert article.lang == value
        elif key == "section":
            assert article.publisher_section == value
        elif key == "byline":
            assert article.byline == value
        elif key == "published":
            assert article.published == datetime.fromisoformat(value)
        elif key == "heading":
            assert value in article.headings
            assert value in article.paragraphs()
        elif key == "text":
            assert value in article.text
        elif key == "not":
            assert value not in article.text
        else:  # pragma: no cover - a typo in a fixture header
            raise AssertionError(f"unknown expectation {key!r} in {path.name}")


# ------------------------------------------------------------------ the seed page

@pytest.fixture(scope="module")
def seed() -> Article:
    if not SEED.exists():
        pytest.skip("shared seed page not present")
    return extract_html(SEED.read_bytes(), url="https://crbc.example/politics/border")


HEADLINE = ("Migrants Stranded at Chile–Peru Border Amid Fears of Forced Expulsions Ahead of "
            "Runoff")
SUBHEADINGS = ["Border standoff", "Political context", "Broader migration dynamics"]


def test_seed_title_once_and_clean(seed: Article) -> None:
    assert seed.title == HEADLINE
    assert HEADLINE not in seed.text
    assert "|" not in seed.title and "CRBC" not in seed.title


def test_seed_metadata(seed: Article) -> None:
    assert seed.source == "CRBC News"
    assert seed.publisher_section == "Politics"
    assert seed.lang == "en"
    assert seed.url == "https://crbc.example/politics/border"
    assert seed.description and seed.description.startswith("Dozens of migrants are stranded")


def test_seed_subheadings(seed: Article) -> None:
    assert seed.headings == SUBHEADINGS
    paragraphs = seed.paragraphs()
    for heading in SUBHEADINGS:
        assert heading in paragraphs  # a paragraph of its own
    assert [b for b in seed.blocks() if b[0] == "h"] == [("h", h) for h in SUBHEADINGS]
    assert seed.html.count("<h2>") == 3


def test_seed_body_without_boxes(seed: Article) -> None:
    assert "330,000" in seed.text
    assert "José Antonio Kast" in seed.text
    assert "Key facts" not in seed.text
    assert "Chilean officials acknowledge the concentration" not in seed.text
    assert "Similar Articles" not in seed.text
    assert "All rights reserved" not in seed.text  # footer
    assert "Business" not in seed.text  # nav
    assert seed.text.startswith("Dozens of migrants who say they are leaving Chile")


def test_seed_confidence_high() -> None:
    if not SEED.exists():
        pytest.skip("shared seed page not present")
    _article, confidence = extract_html_with_confidence(SEED.read_bytes())
    assert 0.8 <= confidence <= 1.0


# ------------------------------------------------------------------ decoding

def test_latin1_without_declaration_falls_back_to_cp1252() -> None:
    body = ("<html><body><article><p>El alcalde inauguró ayer la nueva biblioteca municipal, "
            "que tendrá más de veinte mil libros y abrirá también los domingos por la mañana. "
            "Los vecinos celebraron la noticia con una fiesta en la plaza del pueblo.</p>"
            "</article></body></html>")
    article = extract_html(body.encode("latin-1"))
    assert "inauguró" in article.text and "mañana" in article.text


def test_wrong_declaration_but_utf8_bytes() -> None:
    body = ('<html><head><meta charset="iso-8859-1"></head><body><article><p>Die Stadt '
            "eröffnet im Frühjahr eine neue Brücke über den Fluss, die Fußgänger und Radfahrer "
            "schneller in die Altstadt bringen soll, teilte der Bürgermeister am Montag mit."
            "</p></article></body></html>")
    article = extract_html(body.encode("utf-8"))
    assert "Fußgänger" in article.text and "Brücke" in article.text


def test_str_input_with_xml_declaration() -> None:
    page = ('<?xml version="1.0" encoding="utf-8"?><html><body><article><p>'
            + "A plain sentence about the weather in the hills today. " * 8
            + "</p></article></body></html>")
    assert "weather in the hills" in extract_html(page).text


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("data", [b"", "", b"   \n", "<html></html>",
                                  "<html><body></body></html>", b"\x00\x00\x00"])
def test_empty_documents_refused(data: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_html(data)


def test_binary_garbage_refused() -> None:
    garbage = bytes(range(256)) * 64 + b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 16
    with pytest.raises(ExtractionError):
        extract_html(garbage)


def test_short_page_refused() -> None:
    with pytest.raises(ExtractionError, match="page is not an article"):
        extract_html("<html><body><article><p>Just a few words here.</p></article></body></html>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        article = extract_html(data)
    except ExtractionError:
        return
    assert isinstance(article, Article)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["<p>", "</p>", "<div>", "<h2>", "</h2>", "<br>", "<a href='x'>",
                                 "</a>", "<script>", "<table><tr><td>", "&amp;", "é", "word ",
                                 "A sentence of some length goes here. ", "<!--", "\x00"]),
                max_size=200))
def test_arbitrary_markup_never_crashes(parts: list[str]) -> None:
    try:
        article = extract_html("".join(parts))
    except ExtractionError:
        return
    assert isinstance(article, Article)


# ------------------------------------------------------------------ helpers

@pytest.mark.parametrize("raw, site, expected", [
    ("Storm closes passes - Valley Herald", "Valley Herald", "Storm closes passes"),
    ("Storm closes passes | Valley Herald", "Valley Herald", "Storm closes passes"),
    ("Storm closes passes — Valley Herald", "Valley Herald", "Storm closes passes"),
    ("Valley Herald | Storm closes passes", "Valley Herald", "Storm closes passes"),
    ("Kast – a profile | CRBC News", "CRBC News", "Kast – a profile"),
    ("Kast – a profile", "CRBC News", "Kast – a profile"),
    ("Storm closes passes", "", "Storm closes passes"),
])
def test_clean_title(raw: str, site: str, expected: str) -> None:
    assert clean_title([raw], site=site) == expected


def test_clean_title_uses_host_for_suffix() -> None:
    assert clean_title(["Storm closes passes - ValleyHerald"],
                       url="https://www.valleyherald.example/x") == "Storm closes passes"


def test_parse_date_is_aware_utc() -> None:
    assert parse_date("2024-01-15T09:30:00+02:00") == datetime(2024, 1, 15, 7, 30, tzinfo=UTC)
    assert parse_date("May 03, 2013") == datetime(2013, 5, 3, tzinfo=UTC)
    assert parse_date("not a date") is None


def test_primary_lang() -> None:
    assert primary_lang("en-GB") == "en"
    assert primary_lang("es_ES") == "es"
    assert primary_lang("") is None


def test_headline_below_a_section_kicker_is_shown_once() -> None:
    """Regression: La Voz del Litoral's pages put a kicker ("Mundo") above the headline, and
    both came through into the body, so the article page printed the headline twice."""
    pages = Path(__file__).resolve().parents[1] / "src" / "newsdesk" / "demo" / "pages"
    checked = 0
    for page in sorted((pages / "la-voz-del-litoral").glob("*.html")):
        article = extract_html(page.read_bytes())
        assert article.title not in article.text, page.name
        assert len(article.paragraphs()[0].split()) > 4, page.name  # no kicker left on top
        checked += 1
    assert checked >= 5


def test_credit_lines_standards_footers_and_update_notes_stay_out_of_the_body() -> None:
    """Seen on the demo pages (issue 7): the wire's credit line and standards footer, and a
    closing "We will update this guide" note."""
    demo = Path(__file__).resolve().parents[1] / "src" / "newsdesk" / "demo" / "pages"
    wire = extract_html((demo / "pacific-wire" / "peru-bolivia-border-blockade-fourth-day.html")
                        .read_bytes())
    assert "Reporting by" not in wire.text and "Editorial Principles" not in wire.text
    assert "Desaguadero" in wire.text
    guide = extract_html((demo / "el-altiplano" / "desaguadero-stranded-travellers-what-to-know"
                          ".html").read_bytes())
    assert "We will update" not in guide.text
    assert guide.text.rstrip().endswith("continuing in Puno.")


def test_a_list_in_the_body_stays_a_list() -> None:
    body = "<p>" + "The council met on Monday to discuss the plan for the river district. " * 4
    page = (f"<html><head><title>Plan</title></head><body><article><h1>Council plan</h1>{body}"
            "</p><p>The plan has three parts:</p><ul><li>New flood walls along the quay.</li>"
            "<li>A ferry link to the island.</li><li>Two parks on reclaimed land.</li></ul>"
            f"{body}</p></article></body></html>")
    article = extract_html(page.encode())
    assert "<ul>\n<li>New flood walls along the quay.</li>" in article.html
    assert "A ferry link to the island." in article.text.split("\n\n")


def test_the_pages_own_image_is_the_articles_lead_image() -> None:
    """og:image (relative here) becomes the article's absolute image_url; none: no image."""
    body = "".join(f"<p>Paragraph {i} of the report on the new dam, which opened on Monday "
                   "after ten years of work and cost more than planned.</p>" for i in range(6))
    page = ("<!doctype html><html lang='en'><head><title>Dam opens | Daily</title>"
            "<meta property='og:image' content='/img/dam.jpg'></head><body><article>"
            f"<h1>Dam opens</h1>{body}</article></body></html>")
    article = extract_html(page, url="https://daily.example/news/dam")
    assert article.image_url == "https://daily.example/img/dam.jpg"
    plain = extract_html(page.replace("og:image", "og:nothing"),
                         url="https://daily.example/news/dam")
    assert plain.image_url is None
