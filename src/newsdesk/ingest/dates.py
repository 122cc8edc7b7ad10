"""Tolerant date reading: whatever a feed, sitemap or page says -> an aware UTC datetime.

This is the project's one date parser: feeds, sitemaps, JSON Feed, local files, the CLI and page
metadata (extract/meta.py) all read dates here.

First a zone abbreviation at the end is turned into its offset ("14:00 NZDT" -> "14:00 +1300",
"11:00 ART" -> "11:00 -0300"; the table is `_TZ_NAMES`), and labels and Spanish time words are
dropped ("Publicado el", "a las", "hs"). Then `parse_date` tries, in order, the cheapest reader
that can be sure of its answer:

1. ISO 8601 / RFC 3339 ("2013-05-03T14:00:00Z", "2013-05-03 14:00", "2013-05-03");
2. RFC 822 / RFC 1123 / RFC 2822 ("Fri, 03 May 2013 14:00:00 GMT", "+0200", "EST");
3. dateutil for written English dates ("May 03, 2013", "3 May 2013 2:05 pm");
4. dateparser (imported on first use) for Spanish and other written dates
   ("3 de mayo de 2013", "viernes, 3 de mayo de 2013 - 14:05 CEST").

A date must name its year, month and day: "May 2013" or "14:00" alone is refused rather than
completed with today's values. Relative dates ("yesterday", "2 hours ago") are refused too, as
they depend on when they were read. Naive input is taken as UTC. Years outside 1800..2200 are
placeholders ("0001-01-01") or typos and are refused. Anything unreadable gives None: this
function never raises.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

MIN_YEAR = 1800
MAX_YEAR = 2200
_MAX_LEN = 200  # a date longer than this is not a date

# Zone abbreviations seen in feeds and pages, in hours east of UTC. email.utils knows only the
# North American ones and dateutil none beyond UTC/GMT, and both read an unknown name as UTC, so
# a known name is rewritten as a numeric offset before any reader sees it. IST is taken as
# India's (+5:30), the usual meaning in news feeds; names we do not list are left alone.
_TZ_NAMES: dict[str, float] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "WAT": 1, "CAT": 2, "SAST": 2, "EAT": 3, "GST": 4, "PKT": 5,
    "IST": 5.5, "ICT": 7, "WIB": 7, "SGT": 8, "HKT": 8, "PHT": 8, "AWST": 8, "JST": 9,
    "KST": 9, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "ART": -3, "BRT": -3, "BRST": -2, "UYT": -3, "CLT": -4, "CLST": -3, "PYT": -4,
    "PYST": -3, "BOT": -4, "VET": -4, "AMT": -4, "PET": -5, "COT": -5, "ECT": -5,
}  # fmt: skip
_TZINFOS: dict[str, tzinfo] = {
    name: timezone(timedelta(hours=hours)) for name, hours in _TZ_NAMES.items()
}
_ZONE_AT_END = re.compile(r"(?<=[\d\sMm])\s*\(?([A-Z]{2,5})\)?$")
# labels and Spanish time words around a date: "Publicado el ...", "a las 14:00 hs"
_LABEL = re.compile(
    r"^(?:publicado|actualizado|published|updated|posted|fecha)(?:\s+(?:el|on|at))?:?\s+",
    re.IGNORECASE,
)
_ES_TIME_WORDS = re.compile(r"\s+a\s+las(?=\s+\d)|(?<=\d)\s*(?:hs|hrs|h)\.?(?=\s|$)")


def _numeric_zone(text: str) -> str:
    """ "... 14:00 NZDT" -> "... 14:00 +1300" when the name is one we know."""
    m = _ZONE_AT_END.search(text)
    if not m or m.group(1) not in _TZ_NAMES or m.group(1) in {"Z", "UT", "UTC", "GMT"}:
        return text
    minutes = round(_TZ_NAMES[m.group(1)] * 60)
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    return f"{text[:m.start()]} {sign}{hh:02d}{mm:02d}"


_ISO_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_HAS_DIGIT = re.compile(r"\d")
# "[Fri, ]03 May 2013 14:00[:00] ..." - the shape email.utils reads reliably
_RFC822_LIKE = re.compile(r"^([A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")

_dateparser: Any = None
_DATEPARSER_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["absolute-time"],
    "STRICT_PARSING": True,
}


def _finish(value: datetime | None) -> datetime | None:
    """Naive -> UTC, aware -> converted to UTC; None when out of range."""
    if value is None:
        return None
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
    except (OverflowError, ValueError, OSError):
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return value


def _iso(text: str) -> datetime | None:
    if not _ISO_LIKE.match(text):
        return None
    candidate = text.replace(" ", "T", 1) if " " in text[:11] else text
    candidate = candidate.replace(" ", "")
    if candidate.endswith(("z", "Z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not _RFC822_LIKE.match(text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _dateutil(text: str) -> datetime | None:
    from dateutil import parser as du

    # Parse twice with different defaults: a field that changes was not in the text.
    first_default = datetime(2001, 1, 1)
    second_default = datetime(2002, 2, 2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = du.parse(text, default=first_default, tzinfos=_TZINFOS)
            second = du.parse(text, default=second_default, tzinfos=_TZINFOS)
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first


def _written(text: str) -> datetime | None:
    global _dateparser
    if _dateparser is None:
        import dateparser

        _dateparser = dateparser
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = _dateparser.parse(
                text, languages=["es", "en", "pt", "fr", "de", "it"],
                settings=_DATEPARSER_SETTINGS,
            )
    except Exception:  # dateparser has many failure modes on odd text; all mean "no date"
        return None
    return found if isinstance(found, datetime) else None


def parse_date(value: str | None) -> datetime | None:
    """Read a date in any common notation; an aware UTC datetime, or None. Never raises."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > _MAX_LEN or not _HAS_DIGIT.search(text):
        return None
    text = _numeric_zone(_ES_TIME_WORDS.sub("", _LABEL.sub("", text)))
    for reader in (_iso, _rfc822, _dateutil, _written):
        try:
            found = _finish(reader(text))
        except Exception:  # belt and braces: a date we cannot read is never an error
            found = None
        if found is not None:
            return found
    return None
