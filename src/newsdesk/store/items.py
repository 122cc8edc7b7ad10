"""The SQL of an ItemQuery (accounts.py), written once for both engines.

What the apps' APIs ask for (a feed's unread items, a category's items older than a time, the
ids after one the app has) is a set of conditions on `articles a LEFT JOIN article_state s`
(the user's exception row). The engines differ only in their placeholder, the name of the
larger-of function and how a boolean and a time are written, which a Dialect carries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .accounts import FeedUnread, ItemQuery, Marks


@dataclass(frozen=True)
class Dialect:
    ph: str            # a parameter's placeholder: "?" or "%s"
    greatest: str      # the larger of two values: "MAX" or "GREATEST"
    false: str         # article_state.read when unread again: "0" or "false"
    stamp: Callable[[datetime], Any]  # a time as the engine stores it
    time_of: Callable[[Any], datetime | None]  # a stored time as a datetime
    by_key: str        # a hint to read a table through its primary key ("NOT INDEXED")


UNREAD_BY_ID = 20_000  # an unread view reads its candidates by id below this many above W
RANGE_BY_KEY = 5000  # when at most this many articles lie above the watermark, read them by id
Rows = Callable[[str, list[Any]], Sequence[Any]]  # rows by column name


def unread_by_feed(rows: Rows, user_id: int, marks: Marks, latest: int,
                   d: Dialect) -> dict[int | None, FeedUnread]:
    """Unread articles per feed, counted as accounts.py's unread counts are: the articles
    above the watermark by (feed, section) from a covering index (articles_feed_unread),
    a section marked further read counted again above its mark, then the user's exception
    rows; no pass of the unread rule over every article. `newest` is the newest fetched time
    among them (an article marked read one by one may still count for it)."""
    mark = marks.everything
    hint = d.by_key if latest - mark <= RANGE_BY_KEY else ""
    groups: dict[tuple[int | None, str | None], tuple[int, datetime | None]] = {
        (r["feed_id"], r["section"]): (int(r["n"]), d.time_of(r["newest"])) for r in rows(
            f"SELECT feed_id, section, COUNT(*) AS n, MAX(fetched) AS newest FROM articles "
            f"{hint} WHERE id > {d.ph} GROUP BY feed_id, section", [mark])}
    for section, through in marks.sections.items():
        if through > mark:
            for key in [k for k in groups if k[1] == section]:
                del groups[key]
            groups.update({(r["feed_id"], section): (int(r["n"]), d.time_of(r["newest"]))
                           for r in rows(f"SELECT feed_id, COUNT(*) AS n, MAX(fetched) AS newest "
                                         f"FROM articles WHERE section = {d.ph} AND id > {d.ph} "
                                         "GROUP BY feed_id", [section, through])})
    counts: dict[int | None, int] = {}
    newest: dict[int | None, datetime] = {}

    def seen(feed: int | None, when: datetime | None) -> None:
        if when is not None and (feed not in newest or when > newest[feed]):
            newest[feed] = when

    for (feed, _), (n, when) in groups.items():
        counts[feed] = counts.get(feed, 0) + n
        seen(feed, when)
    for r in rows(f"SELECT a.id, a.feed_id, a.section, a.fetched, s.read FROM article_state s "
                  f"JOIN articles a ON a.id = s.article_id WHERE s.user_id = {d.ph} "
                  "AND s.read IS NOT NULL", [user_id]):
        below = int(r["id"]) <= marks.of(r["section"])
        if r["read"] and not below:
            counts[r["feed_id"]] = counts.get(r["feed_id"], 0) - 1
        elif not r["read"] and below:
            counts[r["feed_id"]] = counts.get(r["feed_id"], 0) + 1
            seen(r["feed_id"], d.time_of(r["fetched"]))
    return {feed: FeedUnread(n, newest.get(feed)) for feed, n in counts.items() if n > 0}


def unread_condition(d: Dialect) -> str:
    """An article is unread: its row says so, or it has none saying read and lies above
    both the user's watermark and its section's (the rule in accounts.py). Takes the
    parameters (watermark, user id)."""
    return (f"(s.read = {d.false} OR (s.read IS NULL AND a.id > {d.greatest}({d.ph}, "
            f"COALESCE((SELECT m.through FROM section_marks m WHERE m.user_id = {d.ph} "
            "AND m.section = a.section), 0))))")


def read_condition(d: Dialect) -> str:
    """The opposite of unread_condition, with the same parameters. (Not a bare NOT: with no
    exception row, `s.read = 0` is NULL, and NOT NULL would select nothing.)"""
    return f"NOT COALESCE({unread_condition(d)}, {d.false})"


def conditions(query: ItemQuery, user_id: int, watermark: int, d: Dialect,
               latest: int | None = None) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (joined by AND; never empty) and their parameters. Given the
    highest article id (`latest`), an unread view with few articles above the watermark
    reads its candidates by id: those above it, and those marked unread again below it."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        where.append(sql)
        params.extend(values)

    if query.view == "unread":
        add(unread_condition(d), watermark, user_id)
        if latest is not None and latest - watermark <= UNREAD_BY_ID:
            # else every article is tested against the rule (Fever's unread ids: 155 ms
            # at 100,000 articles with 2,100 unread, 6 ms this way); with many above the
            # watermark the list costs more than it saves (paging 50: 0 ms -> 120 ms)
            add(f"a.id IN (SELECT id FROM articles WHERE id > {d.ph} UNION ALL SELECT "
                f"article_id FROM article_state WHERE user_id = {d.ph} AND read = {d.false})",
                watermark, user_id)
    elif query.view == "saved":
        add("s.saved_at IS NOT NULL")
    if query.only_read:
        add(read_condition(d), watermark, user_id)
    if query.exclude_saved:
        add("s.saved_at IS NULL")
    if query.only_saved:
        add("s.saved_at IS NOT NULL")
    if query.feed_ids is not None:
        add(in_list("a.feed_id", len(query.feed_ids), d), *query.feed_ids)
    if query.no_feed:
        add("a.feed_id IS NULL")
    if query.category is not None:
        add(f"a.feed_id IN (SELECT f.id FROM feeds f WHERE f.category = {d.ph})",
            query.category)
    if query.section is not None:
        add(f"a.section = {d.ph}", query.section)
    if query.story_id is not None:
        add(f"a.story_id = {d.ph}", query.story_id)
    if query.ids is not None:
        add(in_list("a.id", len(query.ids), d), *query.ids)
    if query.after_id is not None:
        add(f"a.id > {d.ph}", query.after_id)
    if query.before_id is not None:
        add(f"a.id < {d.ph}", query.before_id)
    if query.fetched_since is not None:
        add(f"a.fetched >= {d.ph}", d.stamp(query.fetched_since))
    if query.fetched_before is not None:
        add(f"a.fetched < {d.ph}", d.stamp(query.fetched_before))
    return where, params


def in_list(column: str, count: int, d: Dialect) -> str:
    """`column IN (…)` with `count` placeholders; an empty list matches nothing."""
    if count == 0:
        return "1 = 0"
    return f"{column} IN ({', '.join([d.ph] * count)})"


def narrows(query: ItemQuery) -> bool:
    """Whether the query selects less than every article (its view and limit aside)."""
    return any(value is not None for value in (
        query.feed_ids, query.category, query.section, query.story_id, query.ids,
        query.after_id, query.before_id, query.fetched_since)) or query.exclude_saved \
        or query.only_read or query.only_saved or query.no_feed


def state_join(query: ItemQuery) -> str:
    """How articles meet the user's rows: an inner join for saved ones (every saved article
    has a row, so the user's rows drive the query, not a pass over every article), else a
    left join."""
    return "JOIN" if query.view == "saved" or query.only_saved else "LEFT JOIN"


def order(query: ItemQuery) -> str:
    return "a.id ASC" if query.oldest_first else "a.id DESC"


# feed_article_counts: per feed its articles and its latest one (by id, on the index
# articles(feed_id, id) alone); the engines join the latest's `fetched` to it
FEED_COUNTS = ("SELECT feed_id, COUNT(*) AS n, MAX(id) AS latest FROM articles "
               "WHERE feed_id IS NOT NULL GROUP BY feed_id")
