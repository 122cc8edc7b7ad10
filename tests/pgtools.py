"""One real PostgreSQL for the whole test session, and a fresh empty database per test.

The server comes from the `pgserver` wheel (PostgreSQL 16 with pgvector, started on a Unix
socket in a temporary folder; it works as root), or from NEWSDESK_TEST_PG when that names a
postgresql:// URL of a server we may create databases on. When neither can be had,
`start()` says why and the tests that need PostgreSQL are skipped with that reason.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

try:  # the postgres extra; without it the PostgreSQL tests are skipped, the rest still run
    import psycopg
    from psycopg import sql
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]

ENV = "NEWSDESK_TEST_PG"


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` (host, socket folder and options kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class PgServer:
    """A running server we may create and drop databases on."""

    def __init__(self, admin_url: str, stop: Callable[[], None] | None = None) -> None:
        self.admin_url = admin_url
        self._stop = stop
        # unique per session: several sessions may share one NEWSDESK_TEST_PG server
        self._prefix = f"newsdesk_test_{uuid.uuid4().hex[:8]}_"
        self._counter = itertools.count(1)

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"{self._prefix}{next(self._counter)}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return with_database(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                    .format(sql.Identifier(name)))

    def close(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def _runtime_dir() -> None:
    """platformdirs warns (RuntimeDirWarning) unless XDG_RUNTIME_DIR is a private folder."""
    current = os.environ.get("XDG_RUNTIME_DIR")
    if current and Path(current).is_dir() and (Path(current).stat().st_mode & 0o077) == 0:
        return
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="newsdesk-xdg-")  # mode 0700


def start() -> tuple[PgServer | None, str]:
    """(server, "") or (None, why not).

    The data folder is a folder of its own under the system temp dir, not under pytest's
    basetemp: running as root, pgserver opens the folders above it to its `pgserver` user,
    and every new pytest session closes `pytest-of-<user>` again (mode 0700), which would cut
    the server of another session running at the same time off from its own files."""
    if psycopg is None:
        return None, "psycopg is not installed (pip install 'newsdesk[postgres]')"
    url = os.environ.get(ENV, "").strip()
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            return None, f"{ENV} is not a postgresql:// URL"
        try:
            with psycopg.connect(url, connect_timeout=10):
                pass
        except psycopg.Error as exc:
            return None, f"{ENV} server unreachable: {str(exc).strip().splitlines()[0]}"
        return PgServer(url), ""
    _runtime_dir()
    data_dir = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    reason = ""
    for _ in range(2):  # a second try: a first start can lose a race with another session
        try:
            import pgserver  # an optional test dependency: absent means skip, not fail

            server = pgserver.get_server(str(data_dir), cleanup_mode="delete")
            return PgServer(server.get_uri(), stop=server.cleanup), ""
        except Exception as exc:  # any failure to start is a reason to skip, reported as such
            reason = f"pgserver could not start PostgreSQL: {type(exc).__name__}: {exc}"
    return None, reason
