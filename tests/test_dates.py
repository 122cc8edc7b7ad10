"""parse_date: many notations in, aware UTC datetimes (or None) out; never raises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.ingest.dates import parse_date

MAY3 = datetime(2013, 5, 3, tzinfo=UTC)
MAY3_14 = datetime(2013, 5, 3, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2013-05-03T14:00:00Z", MAY3_14),
        ("2013-05-03T14:00:00+00:00", MAY3_14),
        ("2013-05-03T16:00:00+02:00", MAY3_14),
        ("2013-05-03T09:00:00-05:00", MAY3_14),
        ("2013-05-03T14:00:00.000Z", MAY3_14),
        ("2013-05-03 14:00", MAY3_14),
        ("2013-05-03", MAY3),
        ("Fri, 03 May 2013 14:00:00 GMT", MAY3_14),
        ("Fri, 03 May 2013 14:00:00 +0000", MAY3_14),
        ("Fri, 3 May 2013 10:00:00 EDT", MAY3_14),
        ("Fri, 03 May 2013 16:00:00 +0200", MAY3_14),
        ("03 May 2013 14:00:00 GMT", MAY3_14),
        ("May 03, 2013", MAY3),
        ("May 3, 2013 2:00 pm", MAY3_14),
        ("3 May 2013", MAY3),
        ("Friday, May 3, 2013", MAY3),
        ("3 de mayo de 2013", MAY3),
        ("viernes, 3 de mayo de 2013 - 16:00 CEST", MAY3_14),
        ("3 mayo 2013", MAY3),
        ("  2013-05-03T14:00:00Z\n", MAY3_14),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    found = parse_date(text)
    assert found == expected
    assert found is not None and found.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "hello", "not a date at all", "May 2013", "2013", "14:00", "yesterday",
     "2 hours ago", "0001-01-01T00:00:00Z", "9999-12-31", "32 May 2013", "2013-13-45",
     "Fri, 99 Foo 2013 99:99:99 GMT", "1 2", "x" * 5000],
)
def test_unreadable_is_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_naive_is_utc() -> None:
    assert parse_date("2013-05-03T14:00:00") == MAY3_14


def test_non_string_is_none() -> None:
    assert parse_date(20130503) is None  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    found = parse_date(text)
    assert found is None or (found.tzinfo is UTC and 1800 <= found.year <= 2200)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_iso_round_trip(value: datetime) -> None:
    value = value.replace(microsecond=0)
    assert parse_date(value.isoformat()) == value.replace(tzinfo=UTC)
    assert parse_date(value.isoformat() + "Z") == value.replace(tzinfo=UTC)


# -- zones, Spanish and labels (issue 7: one date parser for the whole project) ---------------

@pytest.mark.parametrize(
    "text, expected",
    [
        # a New Zealand zone is +13:00 in May's daylight time, not UTC
        ("Fri, 03 May 2013 14:00:00 NZDT", datetime(2013, 5, 3, 1, 0, tzinfo=UTC)),
        ("2013-05-03 14:00 NZDT", datetime(2013, 5, 3, 1, 0, tzinfo=UTC)),
        ("Fri, 03 May 2013 14:00:00 NZST", datetime(2013, 5, 3, 2, 0, tzinfo=UTC)),
        ("Fri, 03 May 2013 15:00:00 CET", MAY3_14),
        ("Fri, 03 May 2013 16:00:00 (CEST)", MAY3_14),
        ("Fri, 03 May 2013 11:00:00 ART", MAY3_14),
        ("3 de mayo de 2013, 11:00 ART", MAY3_14),
        ("Fri, 03 May 2013 10:00:00 BOT", MAY3_14),
        ("Fri, 03 May 2013 19:30:00 IST", MAY3_14),
        ("May 3, 2013 3:00 pm CET", MAY3_14),
        ("May 3, 2013 2:00 PM", MAY3_14),
        ("3 de mayo de 2013 a las 14:00 hs", MAY3_14),
        ("Publicado el 3 de mayo de 2013", MAY3),
        ("Updated: May 3, 2013", MAY3),
        ("mayo 3, 2013", MAY3),
        ("3 MAY 2013", MAY3),
        ("20130503T140000Z", MAY3_14),
    ],
)
def test_zone_names_spanish_and_labels(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


def test_page_metadata_uses_the_same_parser() -> None:
    from newsdesk.extract import meta

    assert meta.parse_date is parse_date
    assert meta.parse_date("3 de mayo de 2013") == MAY3
