"""The SQL of an ItemQuery (accounts.py), written once for both engines.

What the apps' APIs ask for (a feed's unread items, a category's items older than a time, the
ids after one the app has) is a set of conditions on `articles a LEFT JOIN article_state s`
(the user's exception row). The engines differ only in their placeholder, the name of the
larger-of function and how a boolean and a time are written, which a Dialect carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .accounts import ItemQuery


@dataclass(frozen=True)
class Dialect:
    ph: str            # a parameter's placeholder: "?" or "%s"
    greatest: str      # the larger of two values: "MAX" or "GREATEST"
    false: str         # article_state.read when unread again: "0" or "false"
    stamp: Callable[[datetime], Any]  # a time as the engine stores it


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


def conditions(query: ItemQuery, user_id: int, watermark: int,
               d: Dialect) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (joined by AND; never empty) and their parameters."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        where.append(sql)
        params.extend(values)

    if query.view == "unread":
        add(unread_condition(d), watermark, user_id)
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
