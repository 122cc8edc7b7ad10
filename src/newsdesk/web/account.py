"""Account screens: /login, /logout, /account (password, language and time zone, API
password and token, log out everywhere), /account/users (admins: who has an account).

The reader's settings are kept as JSON on their user (`settings`: "language" "" / "en" / "es",
"time_zone" an IANA name or ""), for the interface to follow.

Forms are plain POSTs (no JavaScript) with a CSRF field (auth.py). The login form is bound to
a nonce cookie, since there is no session yet; a failed login answers 401 with the form again,
a locked account or address 429 with a Retry-After (accounts.py). These pages are never kept in
the page cache: they carry a visitor's own tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import accounts
from ..store.accounts import User
from . import auth
from .locale import N_, gettext, languages, ngettext, ui_for, using
from .pages import get_store, render

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)
MAX_FORM = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (the first value of each); 413 when too large."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPException(413, "the form is too large")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def say(request: Request, message: str, **values: Any) -> str:
    """`message` (a msgid marked with N_) in the reader's language, `values` put in: for
    texts a handler hands to its page."""
    with using(ui_for(request)):
        return gettext(message) % values


def password_error(request: Request, password: str, api: bool = False) -> str:
    """Why `password` cannot be used (accounts.password_problem), in the reader's language;
    '' when it can."""
    if accounts.password_problem(password) is None:
        return ""
    if not password.strip():
        return say(request, N_("The API password is empty.") if api
                   else N_("The password is empty."))
    if len(password) < accounts.MIN_PASSWORD:
        return say(request, N_("The API password is too short (at least %(num)s characters).")
                   if api else N_("The password is too short (at least %(num)s characters)."),
                   num=accounts.MIN_PASSWORD)
    return say(request, N_("The API password is too long (at most %(num)s characters).")
               if api else N_("The password is too long (at most %(num)s characters)."),
               num=accounts.MAX_PASSWORD)


def locked_error(request: Request, retry_after: int) -> str:
    minutes = max(1, round(retry_after / 60))
    with using(ui_for(request)):
        return ngettext("Too many failed logins: try again in %(num)s minute.",
                        "Too many failed logins: try again in %(num)s minutes.",
                        minutes) % {"num": minutes}


def local_target(value: str | None, default: str = "/") -> str:
    """`value` when it is a path on this site (never another host: no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def _login_page(request: Request, status: int = 200, error: str = "",
                name: str = "", next_url: str = "/") -> Response:
    auth.ensure_nonce(request)
    response = render(request, "login.html", {"error": error, "name": name,
                                              "next": local_target(next_url)}, status=status)
    auth.keep_nonce(request, response)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002 - the field name
    if auth.current_user(request) is not None:
        return RedirectResponse(local_target(next), status_code=303)
    return _login_page(request, next_url=next)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    name, password = form.get("name", "").strip(), form.get("password", "")
    next_url = local_target(form.get("next"))
    await run_in_threadpool(auth.check_csrf, request, form.get("csrf", ""))
    store = get_store(request)
    try:
        user = await run_in_threadpool(accounts.authenticate, store, name, password,
                                       auth.client_address(request), datetime.now(UTC))
    except accounts.LoginLocked as exc:
        response = await run_in_threadpool(_login_page, request, 429,
                                           locked_error(request, exc.retry_after), name,
                                           next_url)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return await run_in_threadpool(_login_page, request, 401,
                                       say(request, N_("Wrong name or password.")), name,
                                       next_url)
    config = request.app.state.config
    days = float(config.session_days)
    key = await run_in_threadpool(auth.signing_key, request.app)
    response = RedirectResponse(next_url, status_code=303)
    auth.set_cookie(request, response, auth.SESSION_COOKIE,
                    accounts.make_session(key, user, datetime.now(UTC), days),
                    max_age=int(days * 86400))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await read_form(request)
    await run_in_threadpool(auth.check_csrf, request, form.get("csrf", ""))
    user = auth.current_user(request)
    if user is not None and form.get("everywhere"):
        await run_in_threadpool(get_store(request).end_sessions, user.id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=auth.is_https(request))
    return response


def setting_languages() -> tuple[str, ...]:
    """The account page's language choices: '' (as the browser asks), then each interface
    language."""
    return ("", *languages())


def reading_settings(request: Request, form: dict[str, str]) -> tuple[dict[str, str], str]:
    """The language and time zone from the settings form, or why they cannot be used."""
    language = form.get("language", "")
    zone = form.get("time_zone", "").strip()
    if language not in setting_languages():
        return {}, say(request, N_("Unknown language: %(language)s."), language=language[:20])
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return {}, say(request, N_("Unknown time zone: %(zone)s (use a name such as "
                                       "Europe/Madrid)."), zone=zone[:60])
    return {"language": language, "time_zone": zone}, ""


def _account_page(request: Request, user: User, status: int = 200, **extra: Any) -> Response:
    return render(request, "account.html", {
        "me": user, "message": "", "error": "", "token": "", "languages": setting_languages(),
        "site_zone": str(request.app.state.config.time_zone), **extra}, status=status)


@router.get("/account")
def account(request: Request, user: auth.SignedIn) -> Response:
    return _account_page(request, user)


@router.post("/account")
async def account_change(request: Request) -> Response:
    user = auth.require_user(request)
    form = await read_form(request)
    await run_in_threadpool(auth.check_csrf, request, form.get("csrf", ""))
    store = get_store(request)
    action = form.get("action", "")

    def work() -> Response:
        if action == "password":
            fresh = store.user(user.id) or user
            if not accounts.verify_password(form.get("current", ""), fresh.password_hash):
                return _account_page(request, user, status=400, error=say(
                    request, N_("The current password is wrong.")))
            new = form.get("new", "")
            if new != form.get("again", ""):
                return _account_page(request, user, status=400, error=say(
                    request, N_("The new passwords differ.")))
            problem = password_error(request, new)
            if problem:
                return _account_page(request, user, error=problem, status=400)
            accounts.change_password(store, fresh, new)
            return RedirectResponse("/login?next=/account", status_code=303)
        if action == "token":
            return _account_page(request, user, token=accounts.new_api_token(store, user))
        if action == "api-password":
            api_password = form.get("api_password", "")
            problem = password_error(request, api_password, api=True)
            if problem:
                return _account_page(request, user, error=problem, status=400)
            accounts.set_api_password(store, user, api_password)
            return _account_page(request, user, message=say(request, N_("API password set.")))
        if action == "settings":
            settings, problem = reading_settings(request, form)
            if problem:
                return _account_page(request, user, error=problem, status=400)
            fresh = store.user(user.id) or user
            store.set_user_settings(user.id, {**fresh.settings, **settings})
            return RedirectResponse("/account", status_code=303)
        raise HTTPException(400, "unknown action")

    return await run_in_threadpool(work)


@router.get("/account/users")
def users(request: Request, admin: auth.Admin) -> Response:
    """Admins only: the accounts on this desk."""
    return render(request, "users.html", {"users": get_store(request).users(), "me": admin})
