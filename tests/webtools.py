"""Helpers shared by the web tests (and any other test that needs a live server or a browser).

    serve_app(app)            context manager: uvicorn on a free 127.0.0.1 port in a background
                              thread; yields the base URL ("http://127.0.0.1:PORT"), waits until
                              the server answers, shuts it down cleanly on exit
    launch_chromium(pw)       Debian's /usr/bin/chromium through Playwright (skips the test when
                              chromium is missing)
    sample_store(path)        a real SQLite store filled with a small, hand-written news desk:
                              a three-article story in English and Spanish, articles in other
                              sections, one hostile article (script in title and HTML)
    make_app(store)           create_app with a test Config; uses nh3 directly when
                              newsdesk.extract.sanitize is not there yet
    file_server(files)        context manager: a plain HTTP server on 127.0.0.1 answering
                              {path: (content type, body)}; yields (base URL, hits per path)
    png(width, height)        a real PNG image of one colour
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from newsdesk.config import Config
from newsdesk.model import Article, Entity
from newsdesk.store import Store, open_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
SITE_NAME = "Harbour Desk"


# -- live server and browser ----------------------------------------------------------------

@contextmanager
def serve_app(app: Any, timeout: float = 15.0) -> Iterator[str]:
    """Run `app` with uvicorn in a thread on a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"uvicorn-{port}", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if not thread.is_alive():
                raise RuntimeError("uvicorn stopped while starting")
            if server.started:
                try:
                    httpx.get(base_url + "/static/style.css", timeout=2.0)
                    break
                except httpx.TransportError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not answer on {base_url} in {timeout}s")
            time.sleep(0.05)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@contextmanager
def file_server(files: dict[str, tuple[str, bytes]]) -> Iterator[tuple[str, Counter[str]]]:
    """A threaded HTTP server on 127.0.0.1 serving `files`; yields (base URL, hits by path)."""
    hits: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hits[self.path] += 1
            kind, body = files.get(self.path, ("text/plain", b"not here"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def png(width: int, height: int, rgb: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A valid PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's chromium headless; skip the calling test when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# -- test data ------------------------------------------------------------------------------

def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


def sample_articles() -> dict[str, Article]:
    """Hand-written articles, keyed by a short name (texts are made up for the tests)."""
    flood_en = Article(
        title="Harbour city raises its new flood barrier as storm tide nears",
        source="The Northern Ledger", byline="Maria Okafor", lang="en", section="environment",
        url="https://ledger.example/2025/11/vellmar-barrier", published=_at(28, 9, 30),
        summary="Vellmar closed its new tidal barrier for the first time on Friday as forecasters "
                "warned of the highest storm tide in forty years.",
        headings=["Barrier tested at dawn", "Warnings for low-lying streets"],
        text="Vellmar closed its new tidal barrier for the first time on Friday morning.\n\n"
             "Barrier tested at dawn\n\n"
             "Engineers swung the two steel gates shut shortly after six o'clock, the mayor "
             "Jonas Berg said, and the harbour basin behind them stayed calm.\n\n"
             "Warnings for low-lying streets\n\n"
             "The Port Authority asked residents of the old quay to move cars to higher ground "
             "before the evening high water.",
        key_facts=["The barrier closed for the first time on Friday.",
                   "Forecasters expect the highest storm tide in forty years.",
                   "The project cost 410 million euros."],
        entities=[Entity("Jonas Berg", "person"), Entity("Port Authority", "org"),
                  Entity("Vellmar", "place"), Entity("410 million euros", "money")],
    )
    flood_es = Article(
        title="La ciudad portuaria cierra su nueva barrera contra las inundaciones",
        source="Diario del Litoral", byline="Lucía Ferrer", lang="es", section="environment",
        url="https://litoral.example/vellmar-barrera", published=_at(28, 12),
        summary="Vellmar cerró por primera vez su barrera ante la mayor marea en cuarenta años.",
        text="Vellmar cerró el viernes por primera vez su barrera contra las mareas.\n\n"
             "Los vecinos del muelle viejo retiraron sus coches antes de la pleamar.",
        key_facts=["La barrera se cerró por primera vez el viernes."],
    )
    flood_wire = Article(
        title="Storm tide tests Vellmar barrier and the streets stay dry",
        source="Coastal Wire", lang="en", section="environment", published=_at(29, 7, 10),
        url="https://wire.example/vellmar-dry",
        summary="The overnight storm tide peaked just below the top of Vellmar's new gates.",
        text="The overnight storm tide peaked just below the top of the new gates.\n\n"
             "No flooding was reported in the old quay.",
    )
    chips = Article(
        title="Chip plant opens with a promise of 800 jobs", source="Tech Weekly",
        lang="en", section="technology", published=_at(27, 15),
        url="https://techweekly.example/chip-plant",
        summary="A semiconductor plant opened on the edge of Vellmar's industrial port.",
        text="A semiconductor plant opened on the edge of the industrial port.\n\n"
             "The company says it will hire 800 people by 2027.",
    )
    hostile = Article(
        title='Council budget vote <script>alert("title")</script> delayed',
        source="Town <b>Crier</b>", lang="en", section="politics", published=_at(26, 18),
        url="https://crier.example/budget",
        summary="Councillors postponed the budget vote after a row over harbour spending.",
        text="Councillors postponed the budget vote.\n\nBudget row\n\nThe row was about harbours.",
        headings=["Budget row"],
        html='<p>Councillors postponed the vote <img alt="" onerror="alert(1)"> '
             'today.</p><script>alert(2)</script><h2>Budget row</h2>'
             '<p>Read the <a href="javascript:alert(3)">minutes</a>.</p>',
    )
    sport = Article(
        title="Late goal sends Rovers top of the league", source="The Northern Ledger",
        lang="en", section="sport", published=_at(29, 21), url="https://ledger.example/rovers",
        summary="A stoppage-time header gave Vellmar Rovers a 2-1 win.",
        text="A stoppage-time header gave Vellmar Rovers a 2-1 win over Dockside.",
    )
    science = Article(
        title="Telescope finds water vapour around a distant planet", source="Science Daily Post",
        lang="en", section="science", published=_at(25, 10), url="https://sdp.example/vapour",
        summary="Astronomers detected water vapour in the atmosphere of a planet 120 light "
                "years away.",
        text="Astronomers detected water vapour in the atmosphere of a distant planet.",
    )
    return {"flood_en": flood_en, "flood_es": flood_es, "flood_wire": flood_wire,
            "chips": chips, "hostile": hostile, "sport": sport, "science": science}


def sample_store(path: Path | str) -> tuple[Store, dict[str, int]]:
    """A store at `path` (a SQLite file or a postgresql:// URL) filled with sample_articles();
    returns (store, ids).

    ids also holds "story": the flood story (flood_en, flood_es, flood_wire). flood_en's similar
    articles are flood_wire and flood_es (same story) then science and chips (other stories).
    """
    store = open_store(path)
    ids: dict[str, int] = {}
    for name, article in sample_articles().items():
        put = store.put_article(article)
        assert put.id is not None
        ids[name] = put.id
    story = store.link(ids["flood_wire"], [], 10,
                       new_story_title="Vellmar flood barrier holds back the storm tide")
    assert story is not None
    store.link(ids["flood_es"], [], 10, story_id=story)
    ids["story"] = story
    store.link(ids["flood_en"], [(ids["flood_wire"], 0.91), (ids["flood_es"], 0.87),
                                 (ids["science"], 0.41), (ids["chips"], 0.33)], 10,
               story_id=story)
    return store, ids


def fallback_sanitizer() -> Callable[[str], str] | None:
    """None when newsdesk.extract.sanitize exists (the app then uses it), else plain nh3."""
    try:
        from newsdesk.extract.sanitize import sanitize_html  # noqa: F401
    except ImportError:
        import nh3
        return nh3.clean
    return None




def make_app(store: Store, **settings: Any) -> Any:
    """create_app over `store` with a test Config (site name SITE_NAME)."""
    from newsdesk.web.app import create_app

    settings.setdefault("page_max_stale", 0)  # tests look at a page right after a write
    config = Config(site_name=settings.pop("site_name", SITE_NAME), db=store.url, **settings)
    return create_app(store, config, sanitize=fallback_sanitizer())
