"""Google Reader ids, streams and items in newsdesk's terms (docs/greader-api.md, "How newsdesk
maps it"). No HTTP here: greader.py calls these with what it read from the request.

Item ids are article ids. They leave as the long form (`tag:google.com,2005:reader/item/` and
16 hex digits) in contents and as decimal strings in id lists; they come back in any of the
four spellings apps use (long, long without padding, bare 16-digit hex, decimal).

Streams:

    user/-/state/com.google/reading-list   every article
    user/-/state/com.google/starred        saved articles
    user/-/state/com.google/read           read articles      (kept-unread: unread ones)
    feed/<id> or feed/<feed URL>           one feed's articles; feed/0: articles of no feed
                                           (pages, sitemaps, unsubscribed feeds), listed as
                                           a subscription named after the site
    user/-/label/<category>                the articles of the feeds in a category (a folder)
    user/-/label/Section: <name>           a section's articles (a tag)
    user/-/label/Story <id>: <title>       a followed story's articles (a tag)

`user/<anything>/` is read as `user/-/`. Every stream becomes an ItemQuery (store/accounts.py);
`xt` and `it` narrow it (exclude or keep read or starred items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ..model import Article, Feed
from ..store import Store
from ..store.accounts import ArticleState, ItemQuery
from .pages import SECTIONS, safe_url

ITEM_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
READING_LIST = STATE + "reading-list"
STARRED = STATE + "starred"
READ = STATE + "read"
KEPT_UNREAD = STATE + "kept-unread"
LABEL = "user/-/label/"
SECTION_PREFIX = "Section: "
STORY_LABEL = re.compile(r"Story (\d{1,18})(?::|$)")
MAX_ITEM_ID = 2**63 - 1
_USER = re.compile(r"^user/[^/]*/")
_HEX = re.compile(r"[0-9a-fA-F]{1,16}")


class BadInput(ValueError):
    """A parameter that cannot be used: 400, with this one-line reason."""


class UnknownStream(LookupError):
    """A feed or label that does not exist: 404, with this one-line reason."""


# -- item ids ----------------------------------------------------------------------------------

def long_id(article_id: int) -> str:
    return f"{ITEM_PREFIX}{article_id:016x}"


def parse_item_id(text: str) -> int:
    """An item id in any of the spellings (the rule in docs/greader-api.md section 3), as an
    unsigned 64-bit number; BadInput when it is none of them."""
    raw = text.strip()
    value: int | None = None
    if raw.startswith(ITEM_PREFIX):
        rest = raw[len(ITEM_PREFIX):]
        value = int(rest, 16) if _HEX.fullmatch(rest) else None
    elif len(raw) == 16 and _HEX.fullmatch(raw) and (raw[0] == "0" or not raw.isdigit()):
        value = int(raw, 16)
    elif raw.isdigit() and len(raw) <= 20:
        value = int(raw)
    elif raw.startswith("-") and raw[1:].isdigit() and len(raw) <= 20:
        value = int(raw) % 2**64  # Google's signed spelling of the same 64 bits
    if value is None or not 0 < value < 2**64:
        raise BadInput(f"item id {text[:80]!r} is not an item id")
    return value


def parse_item_ids(texts: list[str]) -> list[int]:
    """The ids of `texts`, each once, in order; ids beyond ours (Google's negative ones, say)
    name no article here and are left out, as unknown ids are."""
    return [i for i in dict.fromkeys(map(parse_item_id, texts)) if i <= MAX_ITEM_ID]


# -- labels ------------------------------------------------------------------------------------

def section_label(slug: str) -> str:
    return SECTION_PREFIX + SECTIONS.get(slug, slug.capitalize())


def story_label(story_id: int, title: str) -> str:
    title = " ".join(title.split())
    return f"Story {story_id}: {title[:80]}"


def category_of(feed: Feed) -> str | None:
    return feed.category.strip() if feed.category and feed.category.strip() else None


@dataclass
class Desk:
    """What a request's answers are made from, read once: the feeds, their categories, the
    user's followed stories."""

    feeds: dict[int, Feed]
    followed: dict[int, str] = field(default_factory=dict)  # story id: title
    site_name: str = "newsdesk"
    base_url: str = "/"

    @classmethod
    def load(cls, store: Store, user_id: int, site_name: str, base_url: str) -> Desk:
        followed = {}
        for story_id in store.followed_stories(user_id):
            story = store.story(story_id)
            if story is not None:
                followed[story.id] = story.title
        return cls({f.id: f for f in store.feeds() if f.id is not None}, followed,
                   site_name, base_url)

    def categories(self) -> list[str]:
        return sorted({c for f in self.feeds.values() if (c := category_of(f))},
                      key=str.casefold)

    def feed_title(self, feed_id: int | None) -> str:
        feed = self.feeds.get(feed_id) if feed_id else None
        return feed.label if feed else self.site_name


# -- streams -----------------------------------------------------------------------------------

def normalise(stream: str) -> str:
    """`user/1/label/x` and `user/-/label/x` alike; surrounding space dropped."""
    return _USER.sub("user/-/", stream.strip())


def stream_query(stream: str, desk: Desk, store: Store) -> ItemQuery:
    """The articles of `stream` (limit left to the caller). UnknownStream or BadInput."""
    stream = normalise(stream) or READING_LIST
    if stream in (READING_LIST, "reading-list"):
        return ItemQuery()
    if stream == STARRED:
        return ItemQuery(only_saved=True)
    if stream == READ:
        return ItemQuery(only_read=True)
    if stream == KEPT_UNREAD:
        return ItemQuery(view="unread")
    if stream.startswith(STATE):  # broadcast, like, tracking-...: nothing here
        return ItemQuery(ids=())
    if stream.startswith("feed/"):
        feed_id = feed_id_of(stream, desk, store)
        return ItemQuery(no_feed=True) if feed_id == 0 else ItemQuery(feed_ids=(feed_id,))
    if stream.startswith(LABEL):
        return label_query(stream[len(LABEL):], desk)
    raise BadInput(f"stream {stream[:200]!r} is not a stream id")


def feed_id_of(stream: str, desk: Desk, store: Store) -> int:
    """The feed of `feed/<id>` or `feed/<URL>` (0: articles of no feed)."""
    rest = stream[len("feed/"):]
    if rest.isdigit() and len(rest) <= 18:
        if int(rest) == 0 or int(rest) in desk.feeds:
            return int(rest)
        raise UnknownStream(f"no feed {rest}")
    found = store.get_feed(rest) if rest.lower().startswith(("http://", "https://")) else None
    if found is None or found.id is None:
        raise UnknownStream(f"no feed {rest[:200]!r}")
    return found.id


def label_query(name: str, desk: Desk) -> ItemQuery:
    name = name.strip()
    if name.startswith(SECTION_PREFIX):
        wanted = name[len(SECTION_PREFIX):].strip().casefold()
        for slug, title in SECTIONS.items():
            if wanted in (slug, title.casefold()):
                return ItemQuery(section=slug)
    story = STORY_LABEL.match(name)
    if story:
        return ItemQuery(story_id=int(story.group(1)))
    for category in desk.categories():
        if category.casefold() == name.casefold():
            return ItemQuery(category=category)
    raise UnknownStream(f"no label {name[:200]!r}")


def narrowed(query: ItemQuery, exclude: list[str], include: list[str]) -> ItemQuery:
    """`query` with the `xt` (exclude) and `it` (include) tags applied: read and starred."""
    changes: dict[str, Any] = {}
    for tag in map(normalise, exclude):
        if tag == READ:
            changes["view"] = "unread"
        elif tag == STARRED:
            changes["exclude_saved"] = True
        elif tag == KEPT_UNREAD:
            changes["only_read"] = True
    for tag in map(normalise, include):
        if tag == READ:
            changes["only_read"] = True
        elif tag == STARRED:
            changes["only_saved"] = True
        elif tag == KEPT_UNREAD:
            changes["view"] = "unread"
    return replace(query, **changes)


def parse_time(value: str, name: str) -> datetime:
    """Unix seconds (ot, nt) as a UTC time."""
    try:
        seconds = int(value.strip())
        return datetime.fromtimestamp(max(0, min(seconds, 253_402_300_799)), UTC)
    except ValueError:
        raise BadInput(f"{name}={value[:40]!r} is not a time in seconds") from None


def parse_usec(value: str) -> datetime:
    """mark-all-as-read's `ts`: microseconds (16 digits or more) or seconds."""
    raw = value.strip()
    if not raw.isdigit() or len(raw) > 20:
        raise BadInput(f"ts={value[:40]!r} is not a time in microseconds")
    number = int(raw)
    seconds = number / 1_000_000 if len(raw) >= 16 else float(number)
    return datetime.fromtimestamp(min(seconds, 253_402_300_799), UTC)


# -- items -------------------------------------------------------------------------------------

def usec(when: datetime | None) -> int:
    return int(when.timestamp() * 1_000_000) if when else 0


def item_json(article: Article, state: ArticleState, desk: Desk,
              content: str) -> dict[str, Any]:
    """One item as stream/items/contents gives it, with its body `content` (app_items.py)."""
    assert article.id is not None
    fetched = article.fetched or article.published
    published = article.published or fetched
    link = safe_url(article.url) or f"{desk.base_url}article/{article.id}"
    feed_id = article.feed_id if article.feed_id in desk.feeds else 0
    feed = desk.feeds.get(feed_id or -1)
    categories = [READING_LIST]
    if feed is not None and (category := category_of(feed)):
        categories.append(LABEL + category)
    if article.section:
        categories.append(LABEL + section_label(article.section))
    if article.story_id in desk.followed:
        categories.append(LABEL + story_label(article.story_id or 0,
                                              desk.followed[article.story_id or 0]))
    if state.read:
        categories.append(READ)
    if state.saved:
        categories.append(STARRED)
    return {
        "id": long_id(article.id),
        "crawlTimeMsec": str(usec(fetched) // 1000),
        "timestampUsec": str(usec(fetched)),
        "published": usec(published) // 1_000_000,
        "updated": usec(published) // 1_000_000,
        "title": article.title,
        "author": article.byline or article.source or "",
        "canonical": [{"href": link}],
        "alternate": [{"href": link, "type": "text/html"}],
        "summary": {"content": content},
        "content": {"content": content},
        "categories": categories,
        "origin": {"streamId": f"feed/{feed_id}", "title": desk.feed_title(feed_id),
                   "htmlUrl": (feed.site_url if feed else None) or desk.base_url},
    }
