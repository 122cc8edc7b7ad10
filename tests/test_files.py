"""Local inputs: folder expansion, refusals with reasons, JSONL parsing, sniffing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.errors import InputError, TooLargeError
from newsdesk.ingest.files import expand, parse_jsonl, read_bytes, sniff
from newsdesk.model import Article


def test_expand_recurses_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ("a.jsonl", "b/c.html", "b/d.txt", ".git/e.xml", "b/.hidden.xml"):
        (tmp_path / rel).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in expand([str(tmp_path)])
             if isinstance(p, Path)]
    assert found == ["a.jsonl", "b/c.html"]
    missing = list(expand([str(tmp_path / "nope.jsonl")]))
    assert isinstance(missing[0], InputError) and "no such file" in missing[0].reason


def test_read_bytes_refusals(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty file"):
        read_bytes(empty, 1000)
    binary = tmp_path / "img.html"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match="binary"):
        read_bytes(binary, 100_000)
    big = tmp_path / "big.html"
    big.write_text("a" * 2000)
    with pytest.raises(TooLargeError, match="over the 1,000-byte limit"):
        read_bytes(big, 1000)


def test_sniff_by_extension_and_content(tmp_path: Path) -> None:
    assert sniff(tmp_path / "x.xml", b"<?xml version='1.0'?><urlset>") == "sitemap"
    assert sniff(tmp_path / "x.xml", b"<opml version='2.0'>") == "opml"
    assert sniff(tmp_path / "x.xml", b"<rss version='2.0'>") == "feed"
    assert sniff(tmp_path / "x.htm", b"<p>hi") == "html"
    assert sniff(tmp_path / "x.jsonl", b"{}") == "jsonl"


def test_parse_jsonl_good_bad_and_dates() -> None:
    lines = [
        json.dumps({"id": "a1", "title": "One", "text": "Para one.\nPara two.",
                    "published": "May 03, 2013", "url": "https://x.example/1?utm_source=rss"}),
        "{broken json",
        json.dumps({"id": "a2", "title": "No text"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "a3", "html": "<p>Hi</p>", "published": "not a date"}),
        json.dumps({"id": "a4", "title": "Only a headline", "url": "https://x.example/4"}),
    ]
    items = list(parse_jsonl("\n".join(lines).encode(), "in.jsonl"))
    first = items[0]
    assert isinstance(first, Article)
    assert first.external_id == "a1" and first.text == "Para one.\n\nPara two."
    assert first.published is not None and first.published.year == 2013
    assert first.url == "https://x.example/1"
    assert isinstance(items[1], InputError) and items[1].name == "in.jsonl line 2"
    assert isinstance(items[2], InputError) and "no text" in items[2].reason
    assert isinstance(items[3], InputError) and "object" in items[3].reason
    dated = items[4]
    assert isinstance(dated, Article) and dated.published is None
    assert any("unreadable" in w for w in dated.warnings)
    title_only = items[5]  # a title and a URL: kept as a title-only article
    assert isinstance(title_only, Article) and title_only.title == "Only a headline"
    assert title_only.text == "" and title_only.url == "https://x.example/4"


def test_non_feed_json_in_a_folder_is_skipped_with_a_note(tmp_path: Path, caplog) -> None:
    """The demo folder holds events.json (gold labels) beside its feeds: a folder import skips
    it with a one-line note; named on its own, it is refused."""
    from newsdesk.config import Config
    from newsdesk.pipeline import Pipeline
    from newsdesk.store import open_store

    demo = Path(__file__).resolve().parents[1] / "src" / "newsdesk" / "demo"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "events.json").write_bytes((demo / "events.json").read_bytes())
    (folder / "wire.json").write_bytes((demo / "feeds" / "meridian-post.json").read_bytes())
    store = open_store(tmp_path / "d.db")
    try:
        pipeline = Pipeline(store, Config(embedder="hash", fetch_full_text=False))
        with caplog.at_level("WARNING"):
            result = pipeline.import_paths([str(folder)])
        assert result.refused == [] and result.imported > 0
        assert f"{folder / 'events.json'}: skipped: JSON, but not a feed or articles" \
            in caplog.text
        named = pipeline.import_paths([str(folder / "events.json")])
        assert [name for name, _ in named.refused] == [str(folder / "events.json")]
        assert named.refused[0][1].startswith("JSON document is not a JSON Feed")
    finally:
        store.close()
