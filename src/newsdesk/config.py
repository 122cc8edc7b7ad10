"""Settings: one table of (name, default, help).

A value comes from the environment variable NEWSDESK_<NAME> first, then from the settings file
(`newsdesk.toml` in the working directory, or the file named by NEWSDESK_CONFIG), then the default.
The README's settings table is generated from SETTINGS and a test checks it stays in step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "newsdesk.db", "Database: a SQLite file path or a postgresql:// URL."),
    Setting("site_name", "newsdesk", "Name shown in the page header and feeds out."),
    Setting("max_file_bytes", 20_000_000, "Largest local file `import` accepts, in bytes."),
    Setting("max_body_bytes", 10_000_000, "Largest HTTP response body accepted, in bytes."),
    Setting("fetch_timeout", 20.0, "Seconds before an HTTP request is abandoned."),
    Setting("max_redirects", 5, "Redirects followed before a fetch is refused."),
    Setting("user_agent", "newsdesk/0.1 (+self-hosted news reader)", "User-Agent sent on fetches."),
    Setting("allow_private", False, "Allow fetching private, loopback and link-local addresses."),
    Setting("allow_networks", "",
            "Private networks fetches may reach all the same, comma-separated "
            "(e.g. `10.1.2.0/24, fd00:1::/64`); every other private address stays refused."),
    Setting("per_host_delay", 1.0, "Seconds between two requests to the same host."),
    Setting("fetch_hosts", 8,
            "Hosts whose pages are fetched at once to complete feed entries (each host's "
            "pages still one after another, `per_host_delay` apart)."),
    Setting("source_add_wait", 20.0,
            "Seconds the sources page waits for a feed it adds to be imported; a longer "
            "import (many pages to fetch) goes on in the background."),
    Setting("fetch_full_text", True,
            "Fetch the page of a new feed entry that carries only a summary."),
    Setting("refresh_minutes", 30, "Minutes between two refreshes of one feed."),
    Setting("embedder", "use", "Embedding model: `use` (multilingual USE, bundled) or `hash`."),
    Setting("similar_count", 10, "How many similar articles are kept per article."),
    Setting("story_threshold", 0.6, "Cosine similarity needed to join an article to a story."),
    Setting("stalled_seconds", 30.0,
            "PostgreSQL workers: seconds without a heartbeat before a worker's jobs are retried."),
    Setting("workers", 0, "Processes extracting HTML during `import` (0: one per CPU)."),
    Setting("llm_url", "",
            "OpenAI-compatible server of a local language model (e.g. http://127.0.0.1:8080) "
            "that writes key facts and standfirsts, checked against the article; off when empty."),
    Setting("llm_model", "local", "Model name sent to the `llm_url` server."),
    Setting("llm_timeout", 60.0, "Seconds to wait for the language model per request."),
    Setting("host", "127.0.0.1", "Address `serve` listens on."),
    Setting("port", 8000, "Port `serve` listens on."),
    Setting("serve_workers", 0,
            "Server processes `serve` starts (0: one per CPU; a `:memory:` database: one)."),
    Setting("base_url", "",
            "The reader's public address (e.g. https://news.example.org/), used for the "
            "absolute links in feeds out; empty: http://HOST:PORT/ from `host` and `port`. "
            "Never taken from a request's Host header."),
    Setting("remote_images", False,
            "Let readers' browsers load an article's lead image from its publisher. Off: the "
            "image is fetched once by the server and shown from our own address, so no third "
            "party sees who reads what."),
    Setting("interface_language", "en",
            "Language of the reader's pages when neither the reader's setting, the language "
            "links nor the browser's Accept-Language choose one: `en` or `es`."),
    Setting("time_zone", "UTC",
            "Time zone the reader's pages show dates and times in: an IANA name such as "
            "`Europe/Madrid`."),
    Setting("page_cache", 2000,
            "Rendered pages kept per server process until the database changes (0: none)."),
    Setting("page_max_stale", 5.0,
            "Seconds a kept page may still be served after the articles or stories changed, "
            "so a desk that ingests all the time builds each page at most this often (0: "
            "every change shows on the next request)."),
    Setting("public_reading", True,
            "Reading pages open to everyone. Off: every page and /api needs a login or an "
            "API token (but /login, /health and /static)."),
    Setting("secret_key", "",
            "Key that signs session cookies and form tokens; empty: one is generated once and "
            "kept in the database, shared by every server process. Changing it logs everyone "
            "out."),
    Setting("session_days", 30.0, "Days a login lasts before signing in again."),
    Setting("greader_api", False,
            "Answer the Google Reader API (/reader/api/0, /accounts/ClientLogin, also under "
            "/api/greader.php) for apps, with each user's API password."),
    Setting("fever_api", False,
            "Answer the Fever API (/fever/, also /api/fever.php) for apps, with each user's "
            "API password."),
    Setting("trust_proxy", False,
            "Behind a reverse proxy: take the visitor's address (login rate limits) from "
            "X-Forwarded-For and https from X-Forwarded-Proto (Secure cookies)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    kind = type(setting.default)
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {setting.name}: {raw!r} is not a valid {kind.__name__}"
        ) from exc


def _file_values() -> dict[str, Any]:
    path = Path(os.environ.get("NEWSDESK_CONFIG", "newsdesk.toml"))
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read settings file: {exc}") from exc
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"{path}: unknown settings: {', '.join(unknown)}")
    return data


class Config:
    """Resolved settings; attribute access by setting name. Overrides win over everything."""

    def __init__(self, **overrides: Any) -> None:
        file_values = _file_values()
        self._values: dict[str, Any] = {}
        for s in SETTINGS:
            env = os.environ.get(f"NEWSDESK_{s.name.upper()}")
            if s.name in overrides and overrides[s.name] is not None:
                raw = overrides[s.name]
            elif env is not None:
                raw = env
            elif s.name in file_values:
                raw = file_values[s.name]
            else:
                raw = s.default
            self._values[s.name] = _coerce(s, raw)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def public_base_url(config: Config) -> str:
    """`base_url` with a trailing slash, else http://HOST:PORT/ from the settings."""
    base = str(config.base_url).strip()
    if not base:
        host = str(config.host)
        host = "localhost" if host in ("0.0.0.0", "::") else host
        host = f"[{host}]" if ":" in host else host
        base = f"http://{host}:{config.port}"
    if not base.lower().startswith(("http://", "https://")):
        raise ConfigError(f"setting base_url: {base!r} is not an http(s) address")
    return base.rstrip("/") + "/"


def settings_markdown() -> str:
    """The README's settings table."""
    lines = ["| setting | environment | default | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `NEWSDESK_{s.name.upper()}` | `{s.default}` | {s.help} |")
    return "\n".join(lines)
