"""Sitemaps, sitemap indexes, Google News sitemaps, gzip and plain-text sitemaps."""

from __future__ import annotations

import contextlib
import gzip
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk import pipeline as pipeline_module
from newsdesk.config import Config
from newsdesk.errors import ParseError, TooLargeError
from newsdesk.ingest import sitemaps
from newsdesk.ingest.sitemaps import parse_sitemap
from newsdesk.pipeline import Pipeline
from newsdesk.store import SQLiteStore

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


# -- following sitemap indexes through the pipeline, over a real server on 127.0.0.1 ----------

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><main><article><h1>{title}</h1>
<p>The river authority said on Monday that the new flood wall at {place} would be finished by
the end of the year, two months later than planned, after heavy rain slowed the work.</p>
<p>Engineers told residents that the delay would not raise the cost of the project, which is
paid for by the regional government and the city council together, and that the old wall
would stay in place until the new one is tested.</p>
<p>Shop owners along the quay asked for the works to pause during the Christmas market.</p>
</article></main></body></html>"""
PLACES = ["Ribera", "Puerto Alto", "San Telmo", "La Boca"]


@pytest.fixture
def pages_site() -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    """A server of article pages /a/<n>.html and of whatever `extra` holds; `hits` lists
    the paths requested."""
    extra: dict[str, bytes] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            body, status = b"not found", 404
            if self.path in extra:
                body, status = extra[self.path], 200
            elif self.path.startswith("/a/") and self.path.endswith(".html"):
                n = int(self.path[3:-5])
                if n < len(PLACES):
                    body = ARTICLE.format(title=f"Flood wall at {PLACES[n]} delayed",
                                          place=PLACES[n]).encode()
                    status = 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8"
                             if self.path.endswith(".html") else "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", extra, hits
    server.shutdown()
    server.server_close()


def _urlset(*urls: str) -> bytes:
    body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
            ).encode()


def _index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}'
            "</sitemapindex>").encode()


def _pipeline(store: SQLiteStore) -> Pipeline:
    return Pipeline(store, Config(allow_private=True, per_host_delay=0.0, embedder="hash"))


def test_local_index_follows_local_and_http_children(tmp_path: Path, store: SQLiteStore,
                                                     pages_site) -> None:
    base, extra, hits = pages_site
    extra["/sitemap-2.xml"] = _urlset(f"{base}/a/2.html", f"{base}/a/3.html")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "sitemap-1.xml").write_bytes(_urlset(f"{base}/a/0.html",
                                                              f"{base}/a/1.html"))
    index = tmp_path / "maps" / "index.xml"
    index.write_bytes(_index("sitemap-1.xml", f"{base}/sitemap-2.xml"))
    result = _pipeline(store).import_paths([str(index)])
    assert result.refused == []
    assert result.imported == 4
    titles = sorted(a.title for a in store.articles(limit=10))
    assert titles == sorted(f"Flood wall at {p} delayed" for p in PLACES)
    assert "/sitemap-2.xml" in hits


def test_index_children_are_limited_and_one_level_deep(tmp_path: Path, store: SQLiteStore,
                                                       pages_site, monkeypatch, caplog) -> None:
    base, extra, hits = pages_site
    monkeypatch.setattr(pipeline_module, "MAX_CHILD_SITEMAPS", 2)
    monkeypatch.setattr(pipeline_module, "MAX_SITEMAP_URLS", 2)
    extra["/s1.xml"] = _urlset(f"{base}/a/0.html")
    extra["/s2.xml"] = _index(f"{base}/s9.xml")  # an index inside the index: not followed
    extra["/s3.xml"] = _urlset(f"{base}/a/1.html")  # past the limit of children
    extra["/s9.xml"] = _urlset(f"{base}/a/2.html")
    index = tmp_path / "index.xml"
    index.write_bytes(_index(f"{base}/s1.xml", f"{base}/s2.xml", f"{base}/s3.xml"))
    with caplog.at_level("WARNING"):
        result = _pipeline(store).import_paths([str(index)])
    assert result.imported == 1 and result.refused == []
    assert "/s3.xml" not in hits and "/s9.xml" not in hits
    assert "1 child sitemaps past the first 2 not followed" in caplog.text
    assert "a sitemap index inside a sitemap index is not followed" in caplog.text


def test_index_that_yields_nothing_is_refused(tmp_path: Path, store: SQLiteStore,
                                             pages_site) -> None:
    base, extra, _ = pages_site
    extra["/empty.xml"] = _urlset()
    (tmp_path / "outside.xml").write_bytes(_urlset(f"{base}/a/0.html"))
    (tmp_path / "maps").mkdir()
    index = tmp_path / "maps" / "index.xml"
    index.write_bytes(_index(f"{base}/empty.xml", f"{base}/missing.xml", "../outside.xml"))
    result = _pipeline(store).import_paths([str(index)])
    assert result.imported == 0 and store.count_articles() == 0
    reasons = dict(result.refused)
    assert "404" in reasons[f"{base}/missing.xml"]
    assert reasons["../outside.xml"].startswith("outside the folder of")
    assert reasons[str(index)] == "sitemap index: no article imported from its 3 child sitemap(s)"


def test_cli_says_so_when_an_index_yields_nothing(tmp_path: Path) -> None:
    index = tmp_path / "index.xml"
    index.write_bytes(_index("no-such-child.xml"))
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hash"}
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(tmp_path / "d.db"),
                          "import", str(index)], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 1
    assert f"refused: {index}: sitemap index: no article imported from its 1 child" in out.stderr
    assert "refused: no-such-child.xml: no such file" in out.stderr or \
        "refused: no-such-child.xml: cannot read" in out.stderr


def test_news_sitemap_entry_without_its_page_is_kept_title_only(
        tmp_path: Path, store: SQLiteStore, pages_site) -> None:
    base, _, _ = pages_site
    news = NEWS.replace(b"https://news.example/2024/border-deal", f"{base}/gone".encode())
    news = news.replace(b"https://news.example/2024/other", f"{base}/a/0.html".encode())
    path = tmp_path / "news.xml"
    path.write_bytes(news)
    result = _pipeline(store).import_paths([str(path)])
    assert result.refused == [] and result.imported == 2
    kept = {a.url: a for a in store.articles(limit=10)}
    title_only = kept[f"{base}/gone"]
    assert title_only.title == "Chile y Perú firman acuerdo" and title_only.text == ""
    assert title_only.source == "The Example"
    assert title_only.published == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)
    assert kept[f"{base}/a/0.html"].published == datetime(2024, 3, 2, tzinfo=UTC)
