"""Sitemaps, sitemap indexes, Google News sitemaps, gzip and plain-text sitemaps."""

from __future__ import annotations

import contextlib
import gzip
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.errors import ParseError, TooLargeError
from newsdesk.ingest import sitemaps
from newsdesk.ingest.sitemaps import parse_sitemap

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://site.example/a</loc><lastmod>2013-05-03</lastmod></url>
  <url><loc> https://site.example/b </loc></url>
  <url><loc>https://site.example/c</loc><lastmod>someday</lastmod></url>
  <url><lastmod>2013-05-03</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://site.example/sitemap-1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
  <sitemap><loc>https://site.example/sitemap-2.xml</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example/2024/border-deal</loc>
    <news:news>
      <news:publication><news:name>The Example</news:name><news:language>es</news:language>
      </news:publication>
      <news:publication_date>2024-03-01T12:00:00+01:00</news:publication_date>
      <news:title>Chile y Per\xc3\xba firman acuerdo</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://news.example/2024/other</loc>
    <lastmod>2024-03-02T00:00:00Z</lastmod>
    <news:news><news:publication_date>2024-03-01</news:publication_date></news:news>
  </url>
</urlset>"""


def test_urlset() -> None:
    result = parse_sitemap(URLSET, "sitemap.xml")
    assert result.urls == [
        ("https://site.example/a", datetime(2013, 5, 3, tzinfo=UTC)),
        ("https://site.example/b", None),
        ("https://site.example/c", None),
    ]
    assert result.sitemaps == []
    assert len(result.problems) == 2  # unreadable lastmod, url without loc


def test_index() -> None:
    result = parse_sitemap(INDEX, "index.xml")
    assert result.sitemaps == ["https://site.example/sitemap-1.xml.gz",
                               "https://site.example/sitemap-2.xml"]
    assert result.urls == []


def test_google_news() -> None:
    result = parse_sitemap(NEWS, "news.xml")
    assert result.urls == [
        ("https://news.example/2024/border-deal", datetime(2024, 3, 1, 11, 0, tzinfo=UTC)),
        ("https://news.example/2024/other", datetime(2024, 3, 2, tzinfo=UTC)),
    ]
    info = result.news["https://news.example/2024/border-deal"]
    assert info.title == "Chile y Perú firman acuerdo"
    assert info.publication == "The Example" and info.language == "es"
    assert info.published == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)


def test_gzip() -> None:
    result = parse_sitemap(gzip.compress(NEWS), "news.xml.gz")
    assert len(result.urls) == 2


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 10_000)
    with pytest.raises(TooLargeError):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 100_000 + b"</urlset>"), "big.xml.gz")


def test_plain_text_sitemap() -> None:
    result = parse_sitemap(b"https://a.example/1\n\nhttps://a.example/2\r\n", "sitemap.txt")
    assert result.urls == [("https://a.example/1", None), ("https://a.example/2", None)]


def test_no_namespace_is_tolerated() -> None:
    result = parse_sitemap(b"<urlset><url><loc>https://a.example/</loc></url></urlset>", "s")
    assert result.urls == [("https://a.example/", None)]


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty document"),
        (b"<rss><channel/></rss>", "not a sitemap (root element is <rss>)"),
        (b"<urlset><url><loc>x</url></urlset>", "invalid XML at line 1"),
        (b"hello world\nnot urls", "line 1 is not a URL"),
        (b"\x1f\x8b\x08\x00garbage", "truncated gzip"),
        (b"\xff\xfe\xfa binary", "binary"),
        (b'<!DOCTYPE x [<!ENTITY e "x">]><urlset/>', "unsafe XML"),
    ],
)
def test_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_sitemap(data, "s.xml")
    assert fragment in caught.value.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_parse_or_raise(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_sitemap(data, "fuzz")
