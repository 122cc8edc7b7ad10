"""Feeds in every encoding a publisher writes them in, including wrongly declared ones, read
as the text the publisher meant (never mojibake), with each guess or repair recorded."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.ingest.feeds import parse_feed
from newsdesk.ingest.feedtext import decode_feed
from newsdesk.store import open_store

TITLE = "Élection à Montréal: « très serré »"
BODY = ("Le député a dit ça: les résultats du scrutin seront connus bientôt, "
        "après le dépouillement à Trois-Rivières.")
# windows-1252 only: curly quotes, an en dash and the euro sign (0x80-0x9f)
CP1252_BODY = "“Don’t panic” – the budget is €3 million, said the minister."


def rss(declaration: str | None, title: str = TITLE, body: str = BODY) -> str:
    head = f'<?xml version="1.0" encoding="{declaration}"?>\n' if declaration else ""
    return (f'{head}<rss version="2.0"><channel><title>Gazette</title>'
            "<link>https://gazette.example/</link>"
            f"<item><title>{title}</title><link>https://gazette.example/a</link>"
            f"<description>{body}</description></item></channel></rss>")


def entry(data: bytes) -> tuple[str, str, list[str]]:
    parsed = parse_feed(data, "feed.xml")
    assert len(parsed.entries) == 1
    first = parsed.entries[0]
    return first.title, first.description or "", parsed.problems


@pytest.mark.parametrize("declared", ["ISO-8859-1", "iso-8859-1", "latin1"])
def test_iso_8859_1_feed(declared: str) -> None:
    title, body, problems = entry(rss(declared).encode("latin-1"))
    assert (title, body) == (TITLE, BODY)
    assert problems == []


def test_windows_1252_feed_with_its_own_characters() -> None:
    title, body, problems = entry(rss("windows-1252", body=CP1252_BODY).encode("cp1252"))
    assert (title, body) == (TITLE, CP1252_BODY)
    assert problems == []


def test_iso_8859_1_declared_but_windows_1252_bytes_read_as_browsers_do() -> None:
    # 0x93/0x94 are C1 controls in ISO-8859-1 but quotes in windows-1252, as every browser reads
    _, body, _ = entry(rss("ISO-8859-1", body=CP1252_BODY).encode("cp1252"))
    assert body == CP1252_BODY


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                   "utf-32-le", "utf-32-be", "utf-8-sig"])
def test_utf16_and_utf32_with_and_without_bom(codec: str) -> None:
    declared = "UTF-8" if codec == "utf-8-sig" else codec.split("-le")[0].split("-be")[0].upper()
    data = rss(declared).encode(codec)
    if codec in ("utf-16", "utf-32"):
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE))
    title, body, problems = entry(data)
    assert (title, body) == (TITLE, BODY)
    assert problems == []


def test_utf16_without_declaration_or_bom() -> None:
    title, body, _ = entry(rss(None).encode("utf-16-le"))
    assert (title, body) == (TITLE, BODY)


def test_declared_utf8_but_latin1_bytes_is_read_as_windows_1252_with_a_warning() -> None:
    title, body, problems = entry(rss("UTF-8").encode("latin-1"))
    assert (title, body) == (TITLE, BODY)
    assert problems == ["declared utf-8, but the bytes are not UTF-8: read as windows-1252"]


def test_undeclared_latin1_is_read_as_windows_1252_with_a_warning() -> None:
    title, _, problems = entry(rss(None).encode("latin-1"))
    assert title == TITLE
    assert problems == ["no encoding declared, but the bytes are not UTF-8: read as windows-1252"]


def test_declared_latin1_but_utf8_bytes_is_read_as_utf8() -> None:
    title, body, problems = entry(rss("ISO-8859-1").encode("utf-8"))
    assert (title, body) == (TITLE, BODY)
    assert problems == ["declared iso-8859-1, but the bytes are UTF-8: read as UTF-8"]


def test_invalid_utf8_bytes_are_replaced_not_stored_as_mojibake() -> None:
    data = rss("UTF-8").encode("utf-8").replace("bientôt".encode(), b"bient\xc3\x28t")
    title, body, problems = entry(data)
    assert title == TITLE  # the rest of the document is not misread as windows-1252
    assert "bient\ufffd(t" in body
    assert "Ã" not in title + body
    assert problems == ["1 invalid UTF-8 byte sequence replaced with U+FFFD"]


def test_invalid_bytes_after_a_bom_are_replaced() -> None:
    data = codecs.BOM_UTF8 + rss("UTF-8").encode("utf-8").replace(b"Gazette", b"Gaz\xffette")
    parsed = parse_feed(data, "feed.xml")
    assert parsed.title == "Gaz\ufffdette"
    assert parsed.problems == ["1 invalid utf-8 byte sequence replaced with U+FFFD"]


def test_a_declared_single_byte_encoding_other_than_latin() -> None:
    title = "Выборы в Москве"
    for codec in ("koi8-r", "windows-1251"):
        got, _, problems = entry(rss(codec, title=title, body="Итоги").encode(codec))
        assert got == title and problems == []


def test_unknown_declared_encoding_falls_back_and_says_so() -> None:
    title, _, problems = entry(rss("x-no-such-charset").encode("latin-1"))
    assert title == TITLE
    assert problems[0] == "unknown encoding 'x-no-such-charset' declared"


def test_control_characters_xml_forbids_are_removed() -> None:
    title, _, problems = entry(rss("UTF-8", title="Bell\x07 and\x0b tab").encode())
    assert title == "Bell and tab"
    assert problems == ["2 characters XML does not allow removed"]


def test_decode_feed_drops_the_declaration_it_read() -> None:
    text, problems = decode_feed(rss("ISO-8859-1").encode("latin-1"))
    assert text.startswith("<rss") and problems == []


def test_latin1_and_utf16_feeds_import_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "latin1.xml").write_bytes(rss("ISO-8859-1").encode("latin-1"))
    (tmp_path / "utf16.xml").write_bytes(
        rss("UTF-16", title="Ça commence à Québec", body=BODY.replace("Trois", "Sept"))
        .replace("/a<", "/b<").encode("utf-16"))
    db = tmp_path / "desk.db"
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hash", "NEWSDESK_FETCH_FULL_TEXT": "false"}
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                          str(tmp_path / "latin1.xml"), str(tmp_path / "utf16.xml")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "imported 2, duplicates 0, refused 0" in out.stderr
    store = open_store(db)
    try:
        titles = sorted(a.title for a in store.articles(limit=10))
    finally:
        store.close()
    assert titles == ["Ça commence à Québec", TITLE]
