"""Feed parsing: one test per fixture in tests/data/feeds (expectation in each fixture's header,
feedparser's habit), plus a robustness sweep over feedparser's own test corpus when present."""

from __future__ import annotations

import collections
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.errors import ParseError
from newsdesk.ingest.feeds import UNTITLED, ParsedFeed, parse_feed

DATA = Path(__file__).resolve().parent / "data" / "feeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds" / "feedparser-tests"

# base_url given to a fixture when it has relative links
BASE_URLS = {"rss20_content.xml": "https://times.example/feed.xml"}
# expectations for fixtures whose format has no room for a comment
NO_HEADER = {
    "empty.xml": ("raises", 'ParseError "empty document"'),
    "binary.bin": ("raises", 'ParseError "binary data"'),
    "invalid_json.json": ("raises", 'ParseError "invalid JSON at line 3, column 12"'),
}

_XML_HEADER = re.compile(
    r"<!--\s*Description:(?P<description>.*?)\n\s*(?P<kind>Expect|Raises):\s*(?P<rule>.*?)\s*-->",
    re.S,
)


def _expectation(path: Path) -> tuple[str, str]:
    if path.name in NO_HEADER:
        return NO_HEADER[path.name]
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".json":
        test = json.loads(text)["_newsdesk_test"]
        return ("raises", test["raises"]) if "raises" in test else ("expect", test["expect"])
    found = _XML_HEADER.search(text)
    assert found, f"{path.name} has no Description/Expect header"
    return found["kind"].lower(), found["rule"]


def _check(parsed: ParsedFeed, rule: str) -> bool:
    names = {k: getattr(parsed, k) for k in vars(parsed)}
    return bool(eval(rule, {"datetime": datetime, "UTC": UTC}, names))  # noqa: S307 - our fixtures


FIXTURES = sorted(p for p in DATA.iterdir() if p.is_file())


def test_every_fixture_has_an_expectation() -> None:
    assert len(FIXTURES) >= 13
    for path in FIXTURES:
        _expectation(path)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture(path: Path) -> None:
    kind, rule = _expectation(path)
    data = path.read_bytes()
    if kind == "raises":
        fragment = rule.split('"')[1]
        with pytest.raises(ParseError) as caught:
            parse_feed(data, path.name, base_url=BASE_URLS.get(path.name))
        assert caught.value.name == path.name
        assert fragment in caught.value.reason
        return
    parsed = parse_feed(data, path.name, base_url=BASE_URLS.get(path.name))
    assert _check(parsed, rule), f"{path.name}: expectation failed: {rule}\ngot {parsed!r}"


def test_relative_links_without_base_stay_out() -> None:
    data = (DATA / "rss20_content.xml").read_bytes()
    parsed = parse_feed(data, "feed")
    # "/world/border-deal" cannot be made absolute without a base: no URL rather than a bad one
    assert parsed.entries[0].url is None
    assert parsed.entries[1].url == "https://times.example/business/markets?id=7"


def test_entry_without_title_content_or_link_is_kept_untitled_and_counted() -> None:
    data = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>Kept</title></item><item><guid isPermaLink="false">x</guid></item>
    <item><category>Only a category</category></item>
    <item><link>https://t.example/only-a-link</link></item></channel></rss>"""
    parsed = parse_feed(data, "feed")
    assert [e.title for e in parsed.entries] == [
        "Kept", UNTITLED, UNTITLED, "t.example/only-a-link"]
    assert parsed.entries[1].guid == "x"
    assert parsed.entries[2].publisher_section == "Only a category"
    assert parsed.problems == ["2 entries have no title, text or link"]


def test_well_formed_feed_without_entries_is_a_feed() -> None:
    parsed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "f")
    assert parsed.kind == "rss" and parsed.title == "Quiet" and parsed.entries == []
    assert parsed.problems == []


def test_broken_xml_without_entries_is_refused() -> None:
    with pytest.raises(ParseError, match="invalid XML and no entries could be recovered"):
        parse_feed(b'<rss version="2.0"><channel><title>x &nbsp; y</title></channel>', "f")


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"   \n\t ", "empty document"),
        (b"just some words, not markup", "not XML"),
        (b"<note><to>Tove</to></note>", "no RSS, RDF or Atom root element"),
        (b"[1, 2, 3]", "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [}', "invalid JSON at line 1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data"),
    ],
)
def test_not_a_feed(data: bytes, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(data, "input")
    assert fragment in caught.value.reason


def test_utf16_feed_is_not_mistaken_for_binary() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ñu</title>' \
           "<item><title>Uno</title></item></channel></rss>"
    parsed = parse_feed(text.encode("utf-16"), "u16")
    assert parsed.title == "Ñu" and parsed.entries[0].title == "Uno"


def test_feed_url_falls_back_to_base_url() -> None:
    data = (DATA / "rss10.rdf").read_bytes()
    parsed = parse_feed(data, "rdf", base_url="http://rdf.example/rss")
    assert parsed.feed_url == "http://rdf.example/rss"


@pytest.mark.slow
def test_feedparser_corpus_parses_or_refuses_cleanly() -> None:
    """Every file of feedparser's test corpus gives a ParsedFeed or a ParseError, nothing else."""
    if not CORPUS.is_dir():
        pytest.skip("feedparser test corpus is absent")
    started = time.monotonic()
    counts: collections.Counter[str] = collections.Counter()
    unexpected: list[str] = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        try:
            parsed = parse_feed(path.read_bytes(), path.name, base_url="http://example.org/f")
        except ParseError as exc:
            assert exc.reason, path
            counts["ParseError"] += 1
        except Exception as exc:  # the point of the test: nothing else may escape
            unexpected.append(f"{path.relative_to(CORPUS)}: {type(exc).__name__}: {exc}")
        else:
            assert isinstance(parsed, ParsedFeed)
            assert parsed.kind in ("rss", "atom", "rdf", "jsonfeed")
            counts[f"parsed:{parsed.kind}"] += 1
            counts["parsed"] += 1
    elapsed = time.monotonic() - started
    print(f"\nfeedparser corpus: {counts['parsed']} parsed, {counts['ParseError']} ParseError, "
          f"{len(unexpected)} other; by kind {dict(sorted(counts.items()))}; {elapsed:.1f} s")
    assert not unexpected, "\n".join(unexpected[:20])
    assert counts["parsed"] > counts["ParseError"]


_XMLISH = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet='<>/&;"= abcrsitemlnk:?!-[]{}0123456789', max_size=200).map(str.encode),
    st.sampled_from([b"<rss version='2.0'><channel><item><title>", b'{"version": "https://json'
                     b'feed.org/version/1", "items": [{"id": 1', b"<feed xmlns='http://www.w3.org"
                     b"/2005/Atom'><entry><title type='xhtml'><div"]),
)


@settings(max_examples=200, deadline=None)
@given(_XMLISH)
def test_arbitrary_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        parsed = parse_feed(data, "fuzz")
    except ParseError as exc:
        assert exc.reason
    else:
        assert parsed.kind in ("rss", "atom", "rdf", "jsonfeed")


# -- title-only entries, end to end ---------------------------------------------------------

TITLE_ONLY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Headlines Only</title><link>https://heads.example/</link>
<item><title>Harbour bridge reopens after repairs</title>
<link>https://heads.example/bridge</link><guid isPermaLink="false">h-1</guid>
<pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Council &amp; unions agree on night buses</title>
<link>https://heads.example/buses</link></item>
</channel></rss>"""


def test_title_only_entries_import_enrich_and_show(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from newsdesk.store import open_store
    from webtools import make_app

    feed = tmp_path / "heads.xml"
    feed.write_bytes(TITLE_ONLY)
    db = tmp_path / "desk.db"
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hash", "NEWSDESK_FETCH_FULL_TEXT": "false"}
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                          str(feed)], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "imported 2, duplicates 0, refused 0" in out.stderr
    again = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                            str(feed)], capture_output=True, text=True, env=env, timeout=300)
    assert "imported 0, duplicates 2, refused 0" in again.stderr
    store = open_store(db)
    try:
        stored = {a.title: a for a in store.articles(limit=10)}
        bridge = stored["Harbour bridge reopens after repairs"]
        assert bridge.text == "" and bridge.url == "https://heads.example/bridge"
        assert bridge.embedding is not None and bridge.story_id is not None  # enriched, linked
        assert bridge.key_facts == [] and bridge.summary == ""
        assert "Council & unions agree on night buses" in stored
        with TestClient(make_app(store)) as client:
            page = client.get(f"/article/{bridge.id}")
            assert page.status_code == 200
            assert '<h1 class="headline">Harbour bridge reopens after repairs</h1>' in page.text
            assert 'href="https://heads.example/bridge"' in page.text
            assert "Read the original" in page.text
            assert "Only the headline is stored here" in page.text
            api = client.get(f"/api/articles/{bridge.id}")
            assert api.status_code == 200
            body = api.json()
            assert body["title"] == "Harbour bridge reopens after repairs"
            assert body["url"] == "https://heads.example/bridge"
            home = client.get("/")
            assert home.status_code == 200
    finally:
        store.close()


def test_title_only_entry_wants_its_page() -> None:
    from newsdesk.config import Config
    from newsdesk.pipeline import Pipeline
    from newsdesk.store import open_store

    entry = parse_feed(TITLE_ONLY, "heads.xml").entries[0]
    assert entry.text == "" and entry.html == ""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "d.db")
        try:
            assert Pipeline(store, Config(embedder="hash")).wants_page(entry)
            assert not Pipeline(store, Config(embedder="hash", fetch_full_text=False)
                                ).wants_page(entry)
        finally:
            store.close()


# -- entity declarations --------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>Laughs</title><item><title>&lol3;</title>
<link>https://laughs.example/a</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>X</title><item><title>&xxe;</title>
<link>https://xxe.example/a</link><description>&xxe;</description></item></channel></rss>"""
PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<rss version="2.0"><channel><title>P</title><item><title>t</title></item></channel></rss>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, PARAMETER,
                                  XXE.decode().encode("utf-16"),
                                  XXE.replace(b"<rss", b"<rss <<broken")],
                         ids=["billion-laughs", "xxe", "parameter-entity", "utf-16",
                              "broken-after-doctype"])
def test_entity_declarations_are_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(data, "evil.xml")
    assert str(caught.value) == "evil.xml: unsafe XML: entity declarations are not allowed"


def test_refused_entity_feed_leaves_the_database_unchanged(tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(TITLE_ONLY)
    evil = tmp_path / "evil.xml"
    evil.write_bytes(XXE)
    db = tmp_path / "desk.db"
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hash", "NEWSDESK_FETCH_FULL_TEXT": "false"}

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                               str(path)], capture_output=True, text=True, env=env, timeout=300)

    assert run(good).returncode == 0
    before = _dump(db)
    out = run(evil)
    assert out.returncode == 1
    refusals = [line for line in out.stderr.splitlines() if line.startswith("refused:")]
    assert refusals == [f"refused: {evil}: unsafe XML: entity declarations are not allowed"]
    assert "Traceback" not in out.stderr
    assert _dump(db) == before


def _dump(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, title, text, url, content_hash FROM articles "
                           "ORDER BY id").fetchall()
