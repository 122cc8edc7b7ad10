"""How newsdesk's data answers the Fever API (fever.py): groups, feeds, favicons, items.

    groups       one per feed category, plus one for feeds with no category. Fever wants an
                 integer id that stays the same between syncs (apps keep folders by it), and
                 newsdesk's categories are only names on their feeds, so a group's id is a
                 function of its name: the first 31 bits of the name's SHA-256, moved up to 2
                 and over when below. The same name gets the same id in every process, after
                 every restart, on every engine; a renamed category is a new group. Should two
                 names of one desk collide (about one chance in 20 million for 100 names), the
                 later name in sorted order takes the next free number. Group 1 is the feeds
                 with no category; 0 (Kindling, every feed) and -1 (Sparks) are Fever's own.
    feeds        each subscribed feed under its own id, titled with its label (the reader's
                 name, else the feed's title); articles with no feed (pages added one by one,
                 the articles of unsubscribed feeds) come from one more feed, LOOSE_FEED_ID,
                 titled with the site's name, in the group of feeds with no category.
    favicons     newsdesk keeps no icons of its feeds: every feed shows the site's own icon
                 (the PNG inside static/favicon.ico), favicon id 1.
    items        articles by id (ids only grow, so since_id/max_id paging holds); `html` is
                 the article's HTML through the sanitiser the reader's pages use, or, with no
                 HTML, its text as escaped paragraphs and headings: never the feed's own HTML;
                 a leading copy of the headline is left out, as on the article page.
                 Images are as the reader's pages show them: the lead image only, from the
                 desk's /image/ID unless `remote_images` is on (then the publisher's https
                 address). `created_on_time` is the publication time, else when the desk
                 stored it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import Article, Feed
from ..store.accounts import ArticleState

ICON_ID = 1
UNCATEGORISED_GROUP_ID = 1
LOOSE_FEED_ID = 2**31 - 1  # above every real feed id, within the 32 bits some apps keep
_FIRST_HASHED_ID = 2
_ID_SPACE = 2**31
ICON_FILE = Path(__file__).parent / "static" / "favicon.ico"


def unix(value: datetime | None) -> int:
    return int(value.timestamp()) if value is not None else 0


def hashed_group_id(name: str) -> int:
    """A category's group id before collisions: the first 31 bits of SHA-256(name), >= 2."""
    raw = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    return max(raw % _ID_SPACE, _FIRST_HASHED_ID)


def group_ids(names: set[str],
              hashed: Callable[[str], int] = hashed_group_id) -> dict[str, int]:
    """Each category name's group id (module docstring)."""
    taken: dict[int, str] = {}
    for name in sorted(names):
        gid = hashed(name)
        while gid in taken:
            gid = gid + 1 if gid + 1 < _ID_SPACE else _FIRST_HASHED_ID
        taken[gid] = name
    return {name: gid for gid, name in taken.items()}


def category_of(feed: Feed) -> str | None:
    name = (feed.category or "").strip()
    return name or None


@dataclass
class Groups:
    """The desk's groups: their titles and the feeds in each, by group id."""

    titles: dict[int, str]
    feed_ids: dict[int, list[int]]

    def members(self) -> list[dict[str, Any]]:
        """`feeds_groups`: each group with feeds, its feed ids as one comma-separated string."""
        return [{"group_id": gid, "feed_ids": ",".join(str(i) for i in ids)}
                for gid, ids in sorted(self.feed_ids.items()) if ids]

    def listed(self) -> list[dict[str, Any]]:
        return [{"id": gid, "title": title} for gid, title in sorted(self.titles.items())]


def groups(feeds: list[Feed], has_loose: bool, uncategorised_title: str) -> Groups:
    """The groups of `feeds` (and of the loose feed when there are articles with no feed)."""
    ids = group_ids({c for f in feeds if (c := category_of(f)) is not None})
    titles = {gid: name for name, gid in ids.items()}
    members: dict[int, list[int]] = {gid: [] for gid in titles}
    for feed in feeds:
        category = category_of(feed)
        gid = ids[category] if category is not None else UNCATEGORISED_GROUP_ID
        members.setdefault(gid, []).append(int(feed.id or 0))
    if has_loose:
        members.setdefault(UNCATEGORISED_GROUP_ID, []).append(LOOSE_FEED_ID)
    if UNCATEGORISED_GROUP_ID in members:
        titles[UNCATEGORISED_GROUP_ID] = uncategorised_title
    return Groups(titles, members)


def feed_entry(feed: Feed, newest: datetime | None) -> dict[str, Any]:
    """One member of `feeds`: last updated is the feed's last check, else its newest article."""
    return {"id": feed.id, "favicon_id": ICON_ID, "title": feed.label, "url": feed.url,
            "site_url": feed.site_url or "", "is_spark": 0,
            "last_updated_on_time": unix(feed.last_checked or newest)}


def loose_feed_entry(title: str, site_url: str, newest: datetime | None) -> dict[str, Any]:
    return {"id": LOOSE_FEED_ID, "favicon_id": ICON_ID, "title": title, "url": site_url,
            "site_url": site_url, "is_spark": 0, "last_updated_on_time": unix(newest)}


def icon_image(ico: bytes) -> tuple[str, bytes]:
    """(media type, bytes) of an .ico file's first image: the PNG inside when it holds one
    (what every app decodes), else the .ico itself."""
    if len(ico) >= 22:
        size = int.from_bytes(ico[14:18], "little")
        offset = int.from_bytes(ico[18:22], "little")
        inner = ico[offset:offset + size]
        if inner.startswith(b"\x89PNG\r\n\x1a\n") and len(inner) == size:
            return "image/png", inner
    return "image/x-icon", ico


@functools.cache
def favicons() -> list[dict[str, Any]]:
    """`favicons`: the one icon every feed shows, as Fever writes it (no "data:" prefix)."""
    kind, body = icon_image(ICON_FILE.read_bytes())
    return [{"id": ICON_ID, "data": f"{kind};base64,{base64.b64encode(body).decode('ascii')}"}]


def item_entry(article: Article, state: ArticleState, html: str) -> dict[str, Any]:
    """One member of `items`."""
    return {"id": article.id, "feed_id": article.feed_id or LOOSE_FEED_ID,
            "title": article.title, "author": article.byline or "", "html": html,
            "url": article.url or "", "is_saved": int(state.saved),
            "is_read": int(state.read),
            "created_on_time": unix(article.published or article.fetched)}


def id_string(ids: list[int]) -> str:
    """Fever's id lists: one comma-separated string ("" when there are none)."""
    return ",".join(str(i) for i in ids)
