"""URL helpers: a canonical form for article URLs, and a cheap http(s) check.

`canonical_url` is what we store and compare (duplicate detection, story linking), so it drops
what varies between two links to the same page and nothing else:

- scheme and host are lowercased; the default port (80 for http, 443 for https) is dropped;
- the fragment is dropped;
- tracking parameters are dropped (utm_*, fbclid, gclid, mc_cid, ...); the other parameters
  keep their order and their exact encoding;
- an empty query (a trailing "?") is dropped; an empty path becomes "/".

Anything that does not look like an absolute http(s) URL is returned stripped but otherwise
unchanged: canonicalisation never raises.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

# Exact (lowercase) parameter names that only track the click, never select the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "icid",
        "ocid",
        "ncid",
        "sr_share",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "at_medium",
        "at_campaign",
        "s_cid",
        "spm",
        "smid",
        "cid_source",
    }
)
# Prefixes (lowercase) of tracking parameter families.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs")

_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """True when a query parameter name only tracks the click (utm_source, fbclid, ...)."""
    key = name.strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def is_http_url(s: object) -> bool:
    """True for a string that is an absolute http:// or https:// URL with a host."""
    if not isinstance(s, str):
        return False
    text = s.strip()
    if not text or any(c in text for c in " \t\r\n"):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0]
        if is_tracking_param(name):
            continue
        kept.append(pair)
    return "&".join(kept)


def canonical_url(url: str) -> str:
    """The canonical form of `url` (see the module docstring). Never raises."""
    text = url.strip()
    if not is_http_url(text):
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))
