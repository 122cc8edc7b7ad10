"""JSON Feed 1.0/1.1 adapter (fixtures live in tests/data/feeds and run in test_feeds.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsdesk.errors import ParseError
from newsdesk.ingest.feeds import parse_feed
from newsdesk.ingest.jsonfeed import parse_jsonfeed


def _feed(items: list[object], **extra: object) -> bytes:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": items, **extra}
    return json.dumps(doc).encode()


def test_minimal_item() -> None:
    parsed = parse_jsonfeed(_feed([{"id": "1", "url": "https://x.example/a#c"}]), "f")
    assert parsed.kind == "jsonfeed" and parsed.version == "jsonfeed11"
    (article,) = parsed.entries
    assert article.url == "https://x.example/a" and article.guid == "1" and article.source == "T"
    assert article.title == "" and article.html == "" and article.published is None


def test_content_html_is_sanitised_and_preferred() -> None:
    item = {"id": "1", "title": "x", "content_html": '<p onclick="x()">Hi<iframe src="e"></iframe>'
            "</p>", "content_text": "ignored", "summary": "Sum"}
    article = parse_jsonfeed(_feed([item]), "f").entries[0]
    assert article.html == "<p>Hi</p>"
    assert article.description == "Sum"


def test_dates_and_authors() -> None:
    items = [
        {"id": "1", "title": "a", "date_published": "2020-01-02T03:04:05+01:00",
         "date_modified": "2021-01-01T00:00:00Z", "authors": [{"name": "A"}, {"url": "u"}]},
        {"id": "2", "title": "b", "date_published": "garbage", "date_modified": "2021-01-01"},
    ]
    parsed = parse_jsonfeed(_feed(items, authors=[{"name": "Feed"}]), "f")
    assert parsed.entries[0].published == datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert parsed.entries[0].byline == "A"
    assert parsed.entries[1].published == datetime(2021, 1, 1, tzinfo=UTC)
    assert parsed.entries[1].byline == "Feed"


def test_relative_urls_resolve_against_feed_url() -> None:
    data = _feed([{"id": "1", "url": "/p/1"}], feed_url="https://site.example/feed.json")
    assert parse_jsonfeed(data, "f").entries[0].url == "https://site.example/p/1"
    data = _feed([{"id": "1", "url": "/p/1"}])
    assert parse_jsonfeed(data, "f", base_url="https://b.example/x/").entries[0].url == \
        "https://b.example/p/1"


def test_problems_are_recorded_not_raised() -> None:
    data = _feed(["not an object", {"title": "no id"}, {"id": "3"}])
    parsed = parse_jsonfeed(data, "f")
    assert [a.title for a in parsed.entries] == ["no id"]
    assert parsed.problems == ["item 1 is not an object", "item 2 has no id",
                               "1 item(s) skipped: no title, content or URL"]


def test_missing_version_with_items_is_tolerated() -> None:
    parsed = parse_jsonfeed(b'{"title": "T", "items": [{"id": "1", "title": "x"}]}', "f")
    assert parsed.entries[0].title == "x" and "version" in parsed.problems[0]


def test_wrong_types_do_not_crash() -> None:
    item = {"id": {"x": 1}, "title": 5, "url": ["a"], "tags": "notalist", "authors": "me",
            "content_html": None, "date_published": 123}
    parsed = parse_jsonfeed(_feed([item], title=["x"], home_page_url=7), "f")
    assert parsed.title is None and parsed.entries[0].title == "5"


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b'{"version": "https://jsonfeed.org/version/1",\n"items": [1,]}', "line 2, column 13"),
        (b'{"a": 1}', "not a JSON Feed"),
        (b'"just a string"', "not a JSON Feed"),
        (b"\xff\xfe\x00garbage{", "invalid JSON"),
        (b'{"version": "https://jsonfeed.org/version/1"}', ""),
    ],
)
def test_not_json_feeds(data: bytes, fragment: str) -> None:
    if not fragment:  # a version but no items: an empty feed with a problem noted
        parsed = parse_jsonfeed(data, "f")
        assert parsed.entries == [] and parsed.problems
        return
    with pytest.raises(ParseError) as caught:
        parse_jsonfeed(data, "f")
    assert fragment in caught.value.reason and caught.value.name == "f"


def test_parse_feed_delegates_json_with_bom_and_whitespace() -> None:
    data = b"\xef\xbb\xbf\n  " + _feed([{"id": "1", "title": "x"}])
    assert parse_feed(data, "f").kind == "jsonfeed"
