"""Accounts and reading state over HTTP, against a real server on a real SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdesk import accounts
from newsdesk.store import Store
from webtools import make_app, sample_store, serve_app

PASSWORD = "correct horse battery"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Store, dict[str, int]]]:
    store, ids = sample_store(tmp_path / "desk.db")
    accounts.create_user(store, "ana", PASSWORD)
    accounts.create_user(store, "root", PASSWORD, is_admin=True)
    yield store, ids
    store.close()


@pytest.fixture
def site(desk: tuple[Store, dict[str, int]]) -> Iterator[str]:
    with serve_app(make_app(desk[0])) as base:
        yield base


def client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=False, timeout=30)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def login(c: httpx.Client, name: str = "ana", password: str = PASSWORD,
          next_url: str = "/") -> httpx.Response:
    form = c.get("/login")
    assert form.status_code == 200
    return c.post("/login", data={"name": name, "password": password,
                                  "csrf": csrf_of(form.text), "next": next_url})


def unread_total(html: str) -> int:
    found = re.search(r'id="unread-total">(\d+)<', html)
    assert found, "no unread count in the nav"
    return int(found.group(1))


def test_login_sets_a_safe_cookie_and_logout_ends_it(site: str) -> None:
    with client(site) as c:
        assert 'id="nav-login"' in c.get("/").text
        answer = login(c, next_url="/stories")
        assert answer.status_code == 303 and answer.headers["location"] == "/stories"
        cookie = answer.headers["set-cookie"]
        assert "newsdesk_session=" in cookie and "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower() and "Secure" not in cookie  # plain http here
        home = c.get("/")
        assert 'id="nav-account" href="/account">ana<' in home.text
        assert home.headers["cache-control"] == "private, no-cache"
        assert "content-security-policy" in home.headers
        out = c.post("/logout", data={"csrf": csrf_of(home.text)})
        assert out.status_code == 303
        assert 'id="nav-login"' in c.get("/").text


def test_secure_cookie_behind_https(desk: tuple[Store, dict[str, int]]) -> None:
    app = make_app(desk[0], trust_proxy=True)
    with serve_app(app) as base, client(base) as c:
        c.headers["X-Forwarded-Proto"] = "https"
        form = c.get("/login")
        nonce = form.headers["set-cookie"]
        assert "Secure" in nonce
        # the client talks plain http to the "proxy": it keeps Secure cookies to itself
        c.cookies.set("newsdesk_csrf", nonce.split(";")[0].split("=", 1)[1])
        answer = c.post("/login", data={"name": "ana", "password": PASSWORD,
                                        "csrf": csrf_of(form.text)})
        assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_open_redirects_refused(site: str) -> None:
    with client(site) as c:
        answer = login(c, next_url="//evil.example/")
        assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_wrong_passwords_are_rate_limited(site: str) -> None:
    with client(site) as c:
        for _ in range(accounts.LOCK_FAILURES):
            wrong = login(c, password="not the password")
            assert wrong.status_code == 401 and "Wrong name or password." in wrong.text
        locked = login(c)  # the right password, too late
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.text and int(locked.headers["retry-after"]) > 0
        assert "newsdesk_session" not in locked.headers.get("set-cookie", "")
    with client(site) as other:  # another visitor, another account: not locked
        assert login(other, "root").status_code == 303


def test_login_without_csrf_refused(site: str) -> None:
    with client(site) as c:
        c.get("/login")
        answer = c.post("/login", data={"name": "ana", "password": PASSWORD})
        assert answer.status_code == 403
        forged = c.post("/login", data={"name": "ana", "password": PASSWORD,
                                        "csrf": "made-up"})
        assert forged.status_code == 403


def test_form_posts_without_csrf_refused(site: str, desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    article = ids["chips"]
    with client(site) as c, client(site) as other:
        login(c)
        login(other, "root")
        token_of_other = csrf_of(other.get("/").text)
        for data in ({"read": "1"}, {"read": "1", "csrf": ""},
                     {"read": "1", "csrf": token_of_other}):  # another session's token
            answer = c.post(f"/article/{article}/read", data=data)
            assert answer.status_code == 403
        ana = store.user_by_name("ana")
        assert ana is not None
        assert not store.article_states(ana.id, [article])[article].read
        for path, data in (("/mark-read", {"scope": "all"}), ("/logout", {}),
                           (f"/article/{article}/save", {"saved": "1"}),
                           (f"/story/{ids['story']}/follow", {"follow": "1"})):
            assert c.post(path, data=data).status_code == 403
        assert store.unread_counts(ana.id).total == 7 and store.followed_stories(ana.id) == []


def test_cookie_from_another_secret_refused(desk: tuple[Store, dict[str, int]],
                                            site: str) -> None:
    store, _ = desk
    ana = store.user_by_name("ana")
    assert ana is not None
    forged = accounts.make_session(b"some other secret", ana, datetime.now(UTC), 1)
    with client(site) as c:
        c.cookies.set("newsdesk_session", forged)
        assert 'id="nav-login"' in c.get("/").text
        assert c.get("/account").status_code == 303  # to the login page


def test_old_epoch_and_expired_cookies_refused(desk: tuple[Store, dict[str, int]],
                                               site: str) -> None:
    store, _ = desk
    with client(site) as c:
        login(c)
        assert c.get("/account").status_code == 200
        cookie = c.cookies["newsdesk_session"]
        ana = store.user_by_name("ana")
        assert ana is not None
        store.end_sessions(ana.id)  # e.g. `newsdesk user logout ana`
        assert c.get("/account").status_code == 303
    with client(site) as c:
        login(c)
        key = store.shared_secret(accounts.SECRET_NAME, "unused")  # made by the login
        fresh = store.user_by_name("ana")
        assert fresh is not None
        expired = accounts.make_session(key.encode(), fresh, datetime(2020, 1, 1, tzinfo=UTC), 1)
        c.cookies.set("newsdesk_session", expired)
        assert c.get("/account").status_code == 303
        c.cookies.set("newsdesk_session", cookie)  # the cookie from before the logout
        assert c.get("/account").status_code == 303


def test_password_change_logs_out_other_sessions(site: str) -> None:
    with client(site) as c, client(site) as elsewhere:
        login(c)
        login(elsewhere)
        page = c.get("/account")
        changed = c.post("/account", data={"csrf": csrf_of(page.text), "action": "password",
                                           "current": PASSWORD, "new": "a new password",
                                           "again": "a new password"})
        assert changed.status_code == 303
        assert elsewhere.get("/account").status_code == 303
    with client(site) as c:
        assert login(c, password="a new password").status_code == 303


def test_admin_only_pages_refused_to_a_reader(site: str) -> None:
    with client(site) as anonymous:
        assert anonymous.get("/account/users").status_code == 303
    with client(site) as reader:
        login(reader)
        refused = reader.get("/account/users")
        assert refused.status_code == 403 and "Not allowed" in refused.text
    with client(site) as admin:
        login(admin, "root")
        listed = admin.get("/account/users")
        assert listed.status_code == 200 and ">ana<" in listed.text and ">root<" in listed.text


def test_reading_state_in_pages(site: str, desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    with client(site) as c:
        login(c)
        home = c.get("/")
        assert unread_total(home.text) == 7
        assert 'data-section-unread="environment"' in home.text
        article = c.get(f"/article/{ids['chips']}")
        assert 'data-action="toggle-read"' in article.text and ">Mark unread<" in article.text
        assert unread_total(article.text) == 6
        assert unread_total(c.get("/").text) == 6
        unread = c.get("/unread")
        assert unread.status_code == 200
        assert f'data-article="{ids["chips"]}"' not in unread.text
        assert unread.text.count('data-action="toggle-read"') == 6
        # mark unread again, save it, follow the story, from the page's own forms
        token = csrf_of(article.text)
        back = c.post(f"/article/{ids['chips']}/read",
                      data={"csrf": token, "read": "0", "next": "/unread"})
        assert back.status_code == 303 and back.headers["location"] == "/unread"
        assert unread_total(c.get("/").text) == 7
        c.post(f"/article/{ids['chips']}/save", data={"csrf": token, "saved": "1"})
        saved = c.get("/saved")
        assert f'id="item-{ids["chips"]}"' in saved.text
        c.post(f"/story/{ids['story']}/follow", data={"csrf": token, "follow": "1"})
        story = c.get(f"/story/{ids['story']}")
        assert 'data-followed="true"' in story.text and 'data-unread="3"' in story.text
        followed = c.get("/following")
        assert f'id="story-{ids["story"]}"' in followed.text and 'data-unread="3"' in followed.text
        c.post("/mark-read", data={"csrf": token, "scope": "story", "story": str(ids["story"])})
        assert 'data-unread="0"' in c.get(f"/story/{ids['story']}").text
        assert 'data-unread="0"' in c.get("/following").text
        c.post("/mark-read", data={"csrf": token, "scope": "section", "section": "technology"})
        section = c.get("/section/technology")
        assert 'data-unread="0"' in section.text
        assert c.get("/?view=unread").headers["location"] == "/unread"
        assert (c.get("/section/sport?view=unread").headers["location"]
                == "/unread?section=sport")
        sport = c.get("/unread?section=sport")
        assert sport.status_code == 200 and f'id="item-{ids["sport"]}"' in sport.text
        everything = c.post("/mark-read", data={"csrf": token, "scope": "all"})
        assert everything.status_code == 303
        assert unread_total(c.get("/").text) == 0
        assert "Nothing unread." in c.get("/unread").text
    ana = store.user_by_name("ana")
    assert ana is not None and store.unread_counts(ana.id).saved == 1


def test_signed_in_pages_never_reach_other_visitors(site: str,
                                                    desk: tuple[Store, dict[str, int]]) -> None:
    _, ids = desk
    with client(site) as ana, client(site) as root, client(site) as anonymous:
        login(ana)
        login(root, "root")
        for _ in range(2):  # the second round is served from the page cache
            for path in ("/", f"/article/{ids['sport']}", "/section/sport"):
                mine = ana.get(path).text
                theirs = root.get(path).text
                nobody = anonymous.get(path).text
                assert ">ana<" in mine and ">root<" not in mine
                assert ">root<" in theirs and ">ana<" not in theirs
                assert 'id="nav-login"' in nobody and 'name="csrf"' not in nobody
                assert csrf_of(mine) != csrf_of(theirs)


def api(base: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=30)


def test_api_calls_without_a_valid_token_refused(site: str,
                                                 desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    article = ids["chips"]
    for token in (None, "nd_not-a-real-token"):
        with api(site, token) as c:
            for method, path in (("GET", "/api/me"), ("GET", "/api/reading"),
                                 ("PUT", f"/api/articles/{article}/read"),
                                 ("PUT", f"/api/articles/{article}/saved"),
                                 ("POST", "/api/mark-read")):
                answer = c.request(method, path, json={} if method == "POST" else None)
                assert answer.status_code == 401, (token, path)
                assert answer.json()["detail"]
                assert "Bearer" in answer.headers["www-authenticate"]
    with client(site) as browser:  # a session cookie is not an API credential
        login(browser)
        assert browser.put(f"/api/articles/{article}/read").status_code == 401
    ana = store.user_by_name("ana")
    assert ana is not None and store.unread_counts(ana.id).total == 7


def test_reading_state_through_the_api(site: str, desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    ana = store.user_by_name("ana")
    assert ana is not None
    token = accounts.new_api_token(store, ana)
    with api(site, token) as c:
        me: dict[str, Any] = c.get("/api/me").json()
        assert me["name"] == "ana" and me["counts"]["unread"] == 7
        assert c.put(f"/api/articles/{ids['chips']}/read").json()["ok"]
        assert c.put(f"/api/articles/{ids['sport']}/saved").status_code == 200
        assert c.put("/api/articles/999999/read").status_code == 404
        unread = c.get("/api/reading", params={"view": "unread"}).json()["articles"]
        assert len(unread) == 6 and ids["chips"] not in {a["id"] for a in unread}
        saved = c.get("/api/reading", params={"view": "saved"}).json()["articles"]
        assert [(a["id"], a["saved"]) for a in saved] == [(ids["sport"], True)]
        assert c.put(f"/api/stories/{ids['story']}/follow").json()["changed"] == 1
        assert c.get("/api/following").json() == [
            {"id": ids["story"], "title": "Vellmar flood barrier holds back the storm tide",
             "article_count": 3, "unread": 3}]
        assert c.post("/api/mark-read", json={"section": "environment"}).status_code == 200
        counts = c.get("/api/me").json()["counts"]
        assert counts["unread"] == 3 and "environment" not in counts["unread_by_section"]
        assert c.delete(f"/api/articles/{ids['chips']}/read").status_code == 200
        assert c.get("/api/me").json()["counts"]["unread"] == 4
        assert c.post("/api/mark-read", json={"section": "nowhere"}).status_code == 422
    assert store.followed_stories(ana.id) == [ids["story"]]


def test_private_reading(desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    app = make_app(store, public_reading=False)
    with serve_app(app) as base, client(base) as c:
        for path in ("/", f"/article/{ids['chips']}", "/search?q=chip", "/feed.xml"):
            answer = c.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next=")
            assert "content-security-policy" in answer.headers
        assert c.get("/api/articles").status_code == 401
        for path in ("/login", "/health", "/static/style.css", "/favicon.ico"):
            assert c.get(path).status_code == 200, path
        answer = login(c, next_url=f"/article/{ids['chips']}")
        assert answer.headers["location"] == f"/article/{ids['chips']}"
        assert c.get(answer.headers["location"]).status_code == 200
        assert c.get("/api/articles").status_code == 200  # a browser session may read
        ana = store.user_by_name("ana")
        assert ana is not None
        with api(base, accounts.new_api_token(store, ana)) as app_client:
            assert app_client.get("/api/articles").status_code == 200


def test_reading_on_postgresql(pg_url: str) -> None:
    """The same flow on PostgreSQL, where the visitor is looked up off the event loop."""
    store, ids = sample_store(pg_url)
    try:
        accounts.create_user(store, "ana", PASSWORD)
        with serve_app(make_app(store)) as base, client(base) as c:
            assert login(c).status_code == 303
            assert unread_total(c.get("/").text) == 7
            article = c.get(f"/article/{ids['chips']}")
            assert unread_total(article.text) == 6
            c.post("/mark-read", data={"csrf": csrf_of(article.text), "scope": "section",
                                       "section": "environment"})
            home = c.get("/")
            assert 'data-section-unread="environment"' not in home.text
            assert unread_total(home.text) == 3
            ana = store.user_by_name("ana")
            assert ana is not None
            with api(base, accounts.new_api_token(store, ana)) as app_client:
                assert app_client.get("/api/me").json()["counts"]["unread"] == 3
            with api(base, "nd_wrong") as app_client:
                assert app_client.get("/api/me").status_code == 401
    finally:
        store.close()


def test_account_page_api_password_and_token(site: str, desk: tuple[Store, dict[str, int]]) -> None:
    store, _ = desk
    with client(site) as c:
        login(c)
        page = c.get("/account")
        token = csrf_of(page.text)
        short = c.post("/account", data={"csrf": token, "action": "api-password",
                                         "api_password": "short"})
        assert short.status_code == 400
        assert "The API password is too short (at least 8 characters)." in short.text
        done = c.post("/account", data={"csrf": token, "action": "api-password",
                                        "api_password": "app password 1"})
        assert done.status_code == 200 and "API password set." in done.text
        made = c.post("/account", data={"csrf": token, "action": "token"})
        found = re.search(r'id="new-token">([^<]+)<', made.text)
        assert found is not None
        wrong = c.post("/account", data={"csrf": token, "action": "password",
                                         "current": "not it", "new": "a new password",
                                         "again": "a new password"})
        assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    ana = store.user_by_name("ana")
    assert ana is not None and ana.fever_key == accounts.fever_key("ana", "app password 1")
    owner = accounts.user_for_token(store, found.group(1))
    assert owner is not None and owner.name == "ana"


def test_reading_settings_on_the_account_page(site: str,
                                              desk: tuple[Store, dict[str, int]]) -> None:
    store, _ = desk
    with client(site) as c:
        login(c)
        token = csrf_of(c.get("/account").text)
        bad = c.post("/account", data={"csrf": token, "action": "settings", "language": "es",
                                       "time_zone": "Mars/Olympus"})
        assert bad.status_code == 400 and "Unknown time zone: Mars/Olympus (use" in bad.text
        assert c.post("/account", data={"csrf": token, "action": "settings", "language": "fr",
                                        "time_zone": ""}).status_code == 400
        done = c.post("/account", data={"csrf": token, "action": "settings", "language": "es",
                                        "time_zone": "Europe/Madrid"})
        assert done.status_code == 303
        page = c.get("/account").text
        assert '<option value="es" selected lang="es">' in page
        assert 'value="Europe/Madrid"' in page
        # the account's own pages now follow the setting
        assert '<html lang="es">' in page and "Guardar ajustes" in page
    ana = store.user_by_name("ana")
    assert ana is not None
    assert ana.settings == {"language": "es", "time_zone": "Europe/Madrid"}


def read_marks(html: str) -> set[int]:
    """The article ids a page lists as read (the dimmed items)."""
    return {int(m) for m in re.findall(
        r'class="(?:item|timeline-item)[^"]*\bis-read\b[^"]*" data-article="(\d+)"', html)}


def test_lists_mark_what_the_reader_has_read(site: str,
                                             desk: tuple[Store, dict[str, int]]) -> None:
    store, ids = desk
    with client(site) as c:
        login(c)
        assert read_marks(c.get("/").text) == set()
        c.get(f"/article/{ids['chips']}")  # opening it marks it read
        home = c.get("/")
        assert read_marks(home.text) == {ids["chips"]} and ">Read</span>" in home.text
        token = csrf_of(home.text)
        section = c.get("/section/technology")
        assert ids["chips"] in read_marks(section.text)
        assert ids["chips"] in read_marks(c.get("/search", params={"q": "chip plant"}).text)
        c.get(f"/article/{ids['flood_en']}")
        assert ids["flood_en"] in read_marks(c.get(f"/story/{ids['story']}").text)
        c.post("/mark-read", data={"csrf": token, "scope": "all"})
        c.post(f"/article/{ids['chips']}/read", data={"csrf": token, "read": "0"})
        again = c.get("/")
        assert ids["chips"] not in read_marks(again.text)
        assert ids["sport"] in read_marks(again.text)
    # another reader, and a visitor, see no marks of ana's
    with client(site) as c:
        assert read_marks(c.get("/").text) == set()
        login(c, "root")
        assert read_marks(c.get("/section/technology").text) == set()
