"""The reader's language and time zone, and the words, dates and numbers of pages in them.

Interface strings are gettext messages: `_()` / `ngettext()` / `{% trans %}` in templates,
`N_()` to mark a string in Python that a template translates. Their catalogues are the .po
files under `newsdesk/translations/<lang>/LC_MESSAGES/newsdesk.po`, read with Babel and
compiled in memory on first use (no build step, no .mo files in the repository); a language is
offered when its catalogue exists (English, the language of the messages, always is).
`scripts/i18n.py` extracts the messages and checks the catalogues.

Per request, `interface_language(request)` picks the language and `time_zone(request)` the
zone; `render` (pages.py) renders a page inside `using(ui_for(request))`, which every gettext
call and every date and number filter reads (a context variable, so two pages built at once
in two threads do not mix). Templates switch language for one block, such as an article in
its own language, with `{% call in_language(code) %}...{% endcall %}`.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

from ..config import Config
from ..errors import ConfigError

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "newsdesk"
SOURCE_LANGUAGE = "en"  # the language the messages are written in
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_AGE = 365 * 86400
# CLDR locale used for a language's dates and numbers ("11 November 2026", not "November 11")
FORMAT_LOCALES = {"en": "en_GB"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark `message` for extraction; a template translates it when shown."""
    return message


# -- catalogues -------------------------------------------------------------------------------

def catalogue_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The interface languages: English and every language with a catalogue."""
    found = {p.parent.parent.name for p in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


@cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """`lang`'s catalogue, compiled from its .po file; untranslated messages stay English."""
    path = catalogue_path(lang)
    if not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


# -- choosing the language and the zone ---------------------------------------------------

def primary(code: str | None) -> str:
    """'es' for 'es-MX', 'ES_es' or 'es'."""
    return (code or "").replace("_", "-").split("-")[0].strip().lower()


def negotiate(header: str | None, supported: tuple[str, ...]) -> str | None:
    """The supported language the Accept-Language `header` prefers most (q-values honoured,
    a regional tag matching its language: es-MX -> es), or None when it names none of them.
    A `*` takes the first supported language."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "").split(",")):
        tag, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if q > 0 and tag.strip():
            ranked.append((-q, n, tag.strip()))
    for _, _, tag in sorted(ranked):
        lang = supported[0] if tag == "*" else primary(tag)
        if lang in supported:
            return lang
    return None


@lru_cache(maxsize=512)
def _negotiated(header: str | None, supported: tuple[str, ...]) -> str | None:
    return negotiate(header, supported)  # browsers send a handful of distinct headers


def check_settings(config: Config) -> None:
    """Refuse a bad `interface_language` or `time_zone` setting with a clear message."""
    site_zone(config)
    lang = str(config.interface_language)
    if lang not in languages():
        raise ConfigError(f"setting interface_language: {lang!r} is not one of the "
                          f"interface languages ({', '.join(languages())})")


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ConfigError when there is none by that name."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(f"setting time_zone: {name!r} is not a known time zone (use an "
                          f"IANA name such as Europe/Madrid or America/Mexico_City)") from exc


def site_zone(config: Config) -> ZoneInfo:
    return zone_named(str(config.time_zone))


def interface_language(request: Request) -> str:
    """The language of the reader's pages: the user's setting (`request.state.user_language`,
    set by whatever signs the user in), else the `lang` cookie of the language links, else
    the browser's Accept-Language, else the `interface_language` setting."""
    supported = languages()
    user = primary(getattr(request.state, "user_language", None))
    if user in supported:
        return user
    cookie = primary(request.cookies.get(LANGUAGE_COOKIE))
    if cookie in supported:
        return cookie
    found = _negotiated(request.headers.get("accept-language"), supported)
    if found:
        return found
    default = str(request.app.state.config.interface_language)
    return default if default in supported else SOURCE_LANGUAGE


def time_zone(request: Request) -> ZoneInfo:
    """The zone pages show times in: the user's (`request.state.user_time_zone`, an IANA
    name) when set and known, else the `time_zone` setting."""
    user = getattr(request.state, "user_time_zone", None)
    if user:
        try:
            return zone_named(str(user))
        except ConfigError:
            pass
    zone: ZoneInfo | None = getattr(request.app.state, "time_zone", None)
    return zone if zone is not None else site_zone(request.app.state.config)


@dataclass(frozen=True)
class Ui:
    """What a page is shown in: an interface language and a time zone."""
    lang: str = SOURCE_LANGUAGE
    zone: ZoneInfo = ZoneInfo("UTC")

    @property
    def key(self) -> str:
        """The part of a kept page's key that depends on the reader."""
        return f"{self.lang}|{self.zone.key}"


def ui_for(request: Request) -> Ui:
    """The request's Ui, worked out once per request."""
    found: Ui | None = getattr(request.state, "ui", None)
    if found is None:
        found = Ui(interface_language(request), time_zone(request))
        request.state.ui = found
    return found


_current: ContextVar[Ui] = ContextVar("newsdesk_ui", default=Ui())  # noqa: B039 - frozen


def current() -> Ui:
    return _current.get()


@contextmanager
def using(ui: Ui) -> Iterator[Ui]:
    """Make `ui` the language and zone of everything rendered inside."""
    token = _current.set(ui)
    try:
        yield ui
    finally:
        _current.reset(token)


def in_language(lang: str | None, caller: Callable[[], Any]) -> Markup:
    """Template block `{% call in_language(a.lang) %}...{% endcall %}`: its body rendered in
    `lang` when that is an interface language, else in the page's language."""
    code = primary(lang)
    ui = current()
    if code not in languages() or code == ui.lang:
        return Markup(caller())
    with using(Ui(code, ui.zone)):
        return Markup(caller())


def labels_lang(content_lang: str | None) -> str:
    """The language labels take in a block of text in `content_lang`: that language when it
    is an interface language, else the page's."""
    code = primary(content_lang)
    return code if code in languages() else current().lang


# -- words, dates and numbers in the current language ------------------------------------

def gettext(message: str) -> str:
    return translations(current().lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current().lang).ngettext(singular, plural, n)


# For templates, in the manner of Jinja's "newstyle" gettext (`_("%(n)s left", n=3)`, the
# values escaped), minus a context lookup per message: the language is not in the context.
@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    if not variables and context.eval_ctx.autoescape:
        return _plain(current().lang, message)  # most messages: a lookup
    text = translations(current().lang).gettext(message)
    found = Markup(text) if context.eval_ctx.autoescape else text
    return found % variables  # always, as Jinja does: a literal % is written %%


@lru_cache(maxsize=4096)
def _plain(lang: str, message: str) -> Markup:
    return Markup(translations(lang).gettext(message)) % {}


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, n: int,
                      **variables: Any) -> str:
    text = translations(current().lang).ngettext(singular, plural, n)
    found = Markup(text) if context.eval_ctx.autoescape else text
    variables.setdefault("num", n)
    return found % variables


@cache
def _format_locale(lang: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(lang, lang))


def _local(value: datetime) -> datetime:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(current().zone)


@lru_cache(maxsize=4096)
def _long_date(lang: str, day: date) -> str:
    return format_date(day, "long", locale=_format_locale(lang))  # ~20 µs: kept


def human_date(value: datetime | None) -> str:
    """'3 December 2025', '3 de diciembre de 2025': the day in the reader's zone."""
    if value is None:
        return ""
    return _long_date(current().lang, _local(value).date())


def zone_abbreviation(value: datetime) -> str:
    """'UTC', 'CET', 'CST'; 'UTC-03' where the zone has no letters for itself."""
    name = value.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def human_datetime(value: datetime | None) -> str:
    """'3 December 2025, 14:05 UTC': date and time in the reader's zone, with its name."""
    if value is None:
        return ""
    local = _local(value)
    return f"{human_date(local)}, {local:%H:%M} {zone_abbreviation(local)}"


def number(value: int | float) -> str:
    """'1,234' in English, '1.234' in Spanish."""
    return _number(current().lang, value)


@lru_cache(maxsize=4096)
def _number(lang: str, value: int | float) -> str:
    return format_decimal(value, locale=_format_locale(lang))  # ~20 µs: kept


def lang_name(code: str | None) -> str:
    """A language's name in the current language ('Spanish', 'español'); the code when
    unknown."""
    if not code:
        return ""
    name = _format_locale(current().lang).languages.get(primary(code))
    return name[:1].upper() + name[1:] if name else code


@lru_cache(maxsize=64)
def native_name(code: str) -> str:
    """A language's name in itself, as a label: 'English', 'Español'."""
    name = _format_locale(primary(code)).get_language_name(primary(code)) or code
    return name[:1].upper() + name[1:]


# -- the language links ---------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def local_path(target: str) -> str:
    """`target` when it is a path on this site ('/story/3?x=1'), else '/': never a redirect
    to another site ('//evil.example', '/\\evil.example', 'https://...')."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(
            ord(c) < 32 for c in target):
        return "/"
    return target


@router.get("/language/{code}")
def choose_language(request: Request, code: str,
                    back: Annotated[str, Query(alias="next", max_length=2000)] = "/"
                    ) -> RedirectResponse:
    """Remember the reader's choice of interface language in a cookie and go back to `next`
    (a link, so it works without JavaScript; a preference, not an account change)."""
    if code not in languages():
        raise HTTPException(404, f"no interface language {code!r}")
    response = RedirectResponse(local_path(back), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_AGE, path="/",
                        samesite="lax", httponly=True, secure=request.url.scheme == "https")
    return response
