"""A news site on 127.0.0.1 for worker tests and benchmarks: many feeds, each entry a page.

    site = FeedSite(feeds=200, entries=20, teaser=True, texts=[...])
    with site.serve() as base:          # a ThreadingHTTPServer in a background thread
        ...                             # base + site.feed_path(n) is feed n
    site.hits                           # Counter of request paths (feeds, pages, robots.txt)

Feed n is `/feed/n.xml` (RSS 2.0). With `teaser`, an entry carries one sentence and its page
`/story/n-m.html` carries the whole article with subheadings, so a reader must fetch the page;
without, the entry carries the whole text. Feeds listed in `retry_after` answer 429 with
Retry-After: 3600. Every text is distinct (the article number is part of it), so nothing is
deduplicated by content.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLACEHOLDER = (
    "The harbour board met on {day} to discuss the plan for the northern quay. Members said the "
    "work on berth {n} would take {m} weeks and cost {cost} million, and that ships would be sent "
    "to the southern basin meanwhile.\n"
    "Dock workers asked for more detail about night shifts, and the board promised a written "
    "answer within a fortnight.\n"
    "Residents of the old town raised the noise of the pile drivers, which the contractor said "
    "would stop at seven each evening."
)


class FeedSite:
    def __init__(self, feeds: int, entries: int, teaser: bool = True,
                 texts: list[tuple[str, str]] | None = None,
                 retry_after: frozenset[int] = frozenset()) -> None:
        self.feeds, self.entries, self.teaser = feeds, entries, teaser
        self.texts = texts or [("Harbour board plans work on the northern quay", PLACEHOLDER)]
        self.retry_after = retry_after
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def feed_path(self, n: int) -> str:
        return f"/feed/{n}.xml"

    def article(self, n: int, m: int) -> tuple[str, list[str]]:
        """Title and paragraphs of entry m of feed n (a subheading every third paragraph)."""
        k = n * self.entries + m
        title, text = self.texts[k % len(self.texts)]
        paras = [p.strip() for p in text.split("\n") if p.strip()]
        paras = [p.format(day=f"day {k}", n=k, m=m + 2, cost=k % 97 + 3) if "{" in p else p
                 for p in paras]
        paras.insert(1, f"This is report number {k} of the desk, filed for feed {n}.")
        return f"{title} ({k})", paras

    def page(self, n: int, m: int) -> bytes:
        title, paras = self.article(n, m)
        body = []
        for i, p in enumerate(paras):
            if i and i % 3 == 0:
                body.append(f"<h2>Part {i // 3} of the report</h2>")
            body.append(f"<p>{escape(p)}</p>")
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{escape(title)}</title>"
                f'<meta property="og:site_name" content="Desk {n}"></head><body>'
                f"<nav><a href='/'>Home</a></nav><main><article><h1>{escape(title)}</h1>"
                f"{''.join(body)}</article></main><footer>Desk {n}</footer></body></html>"
                ).encode()

    def feed(self, n: int, base: str) -> bytes:
        items = []
        for m in range(self.entries):
            title, paras = self.article(n, m)
            text = paras[0][:200] if self.teaser else "\n".join(f"<p>{escape(p)}</p>"
                                                                 for p in paras)
            items.append(
                f"<item><title>{escape(title)}</title><link>{base}/story/{n}-{m}.html</link>"
                f'<guid isPermaLink="false">desk-{n}-{m}</guid>'
                f"<pubDate>Mon, 02 Nov 2026 {m % 24:02d}:00:00 +0000</pubDate>"
                f"<description>{escape(text)}</description></item>")
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk {n}</title>'
                f"<link>{base}/</link><description>Feed {n}</description>{''.join(items)}"
                "</channel></rss>").encode()

    @contextmanager
    def serve(self) -> Iterator[str]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait ~40 ms for an ACK

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str,
                      extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                base = f"http://{self.headers.get('Host')}"
                try:
                    if path.startswith("/feed/") and path.endswith(".xml"):
                        n = int(path[len("/feed/"):-len(".xml")])
                        if n in site.retry_after:
                            self._send(429, b"slow down", "text/plain", {"Retry-After": "3600"})
                        elif 0 <= n < site.feeds:
                            self._send(200, site.feed(n, base), "application/rss+xml")
                        else:
                            self._send(404, b"no such feed", "text/plain")
                    elif path.startswith("/story/") and path.endswith(".html"):
                        n, m = (int(x) for x in path[len("/story/"):-len(".html")].split("-"))
                        self._send(200, site.page(n, m), "text/html; charset=utf-8")
                    else:
                        self._send(404, b"not found", "text/plain")
                except ValueError:
                    self._send(404, b"not found", "text/plain")

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that went away (a killed worker) is not our concern

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
