"""Bounded work for any input: HTML that would make a parser take quadratic time (deep
nesting, huge attribute counts) is flattened to text when sanitised and refused in one line
when extracted; inputs that are merely big (a very long line, many siblings) go through."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.config import Config
from newsdesk.errors import ExtractionError
from newsdesk.extract.bounds import MAX_ATTRIBUTES, MAX_DEPTH, html_over_bounds, markup_shape
from newsdesk.extract.html import extract_html
from newsdesk.extract.sanitize import html_to_blocks, sanitize_html
from newsdesk.ingest.feeds import parse_feed
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store

PARA = ("<p>The council met on Monday and agreed the budget for the new bridge over the river, "
        "which engineers say will open to traffic next spring.</p>")
DEEP = "<div>" * 100_000 + PARA + "</div>" * 100_000
BOLD = "<b>" * 50_000 + PARA
ATTRS = "<p " + " ".join(f'a{i}="{i}"' for i in range(100_000)) + ">Hello</p>" + PARA
TABLES = "<table><tr><td>" * 20_000 + PARA


def test_shape_is_measured_as_html_parsers_nest() -> None:
    assert markup_shape("<div><p>a<p>b<br><img src=x><div>c</div></div>") == (2, 0)
    assert markup_shape("<div><!-- <div><div> --><script>'<div>'</script></div>") == (2, 0)
    quoted = '<a data-json=\'{"x": "<div><div>", "y": ">"}\' href="/">x</a>'
    assert markup_shape(quoted) == (1, 0)
    assert markup_shape("<ul>" * 300) == (300, 0)
    assert html_over_bounds("<ul>" * 300) == f"HTML nested deeper than {MAX_DEPTH} levels (300)"
    assert html_over_bounds(ATTRS) == (f"an HTML element with more than {MAX_ATTRIBUTES} "
                                       "attributes (100,000)")
    assert html_over_bounds(PARA * 1000) is None


def test_unclosed_constructs_end_the_scan_without_quadratic_work() -> None:
    for hostile in ("<!--" * 100_000, "<script>" * 100_000, '<a x="' * 100_000, "<" * 10**6):
        markup_shape(hostile + PARA)  # returns (the suite's time shows if it is slow)


@pytest.mark.parametrize("markup", [DEEP, BOLD, ATTRS, TABLES],
                         ids=["100k-nested-divs", "50k-unclosed-bold", "100k-attributes",
                              "20k-nested-tables"])
def test_costly_html_is_flattened_to_its_text(markup: str) -> None:
    clean = sanitize_html(markup)
    assert "The council met on Monday" in clean
    assert clean.startswith("<p>") and "<div" not in clean and "<b>" not in clean
    assert markup_shape(clean)[0] <= 1
    blocks = html_to_blocks(markup)
    assert any("The council met on Monday" in text for _, text in blocks)


def test_flattened_text_is_escaped() -> None:
    clean = sanitize_html("<div>" * 1000 + "&lt;script&gt;alert(1)&lt;/script&gt; <i>x</i>")
    assert "<script" not in clean and "&lt;script&gt;" in clean


def test_long_line_and_many_siblings_are_sanitised_normally() -> None:
    line = "<p>" + "word " * 1_000_000 + "</p>"
    assert sanitize_html(line).startswith("<p>word word")
    siblings = PARA * 5_000
    assert sanitize_html(siblings).count("<p>") == 5_000


@pytest.mark.parametrize("markup", [DEEP, ATTRS], ids=["deep", "attributes"])
def test_costly_page_is_refused_in_one_line(markup: str) -> None:
    page = f"<html><head><title>Bridge</title></head><body>{markup}</body></html>"
    with pytest.raises(ExtractionError) as caught:
        extract_html(page.encode())
    assert str(caught.value).startswith("page not read: ")
    assert "\n" not in str(caught.value)


def test_deep_feed_item_is_stored_flattened_with_a_note(tmp_path: Path) -> None:
    feed = ('<rss version="2.0"><channel><title>Deep</title><item><title>Bridge budget</title>'
            "<link>https://deep.example/a</link><description><![CDATA["
            f"{DEEP}]]></description></item></channel></rss>").encode()
    parsed = parse_feed(feed, "deep.xml")
    assert parsed.problems == [f"HTML nested deeper than {MAX_DEPTH} levels (100,000): "
                               "flattened to text"]
    path = tmp_path / "deep.xml"
    path.write_bytes(feed)
    store = open_store(tmp_path / "d.db")
    try:
        result = Pipeline(store, Config(embedder="hash", fetch_full_text=False)
                          ).import_paths([str(path)])
        assert result.imported == 1 and result.refused == []
        stored = store.articles(limit=1)[0]
        assert stored.text.startswith("The council met on Monday")
        assert "<div" not in stored.html
    finally:
        store.close()


def test_costly_page_file_is_refused_by_import(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(f"<html><body>{DEEP}</body></html>")
    store = open_store(tmp_path / "d.db")
    try:
        result = Pipeline(store, Config(embedder="hash", workers=1)).import_paths([str(path)])
        assert result.imported == 0
        assert result.refused == [(str(path), f"page not read: HTML nested deeper than "
                                              f"{MAX_DEPTH} levels (100,002)")]
    finally:
        store.close()
