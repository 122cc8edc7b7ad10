"""The Fever API driven call by call as an app does, against a real server on a real SQLite
file, at /fever/ and at FreshRSS's /api/fever.php; the results checked in the reader's pages."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdesk import accounts
from newsdesk.model import Article, Feed
from newsdesk.store import Store
from newsdesk.web import fever_map
from webtools import SITE_NAME, make_app, sample_store, serve_app

PASSWORD = "correct horse battery"
API_PASSWORD = "app password 123"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PATHS = ["/fever/", "/api/fever.php"]
TECH = "Tecnología"


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


KEY = md5(f"ana:{API_PASSWORD}")


def build_desk(url: str) -> tuple[Store, dict[str, Any]]:
    """sample_store's seven articles (no feed) and two feeds: 55 articles in a categorised
    one, fetched a minute apart from T0, and 5 in one with no category."""
    store, ids = sample_store(url)
    tech, _ = store.add_feed(Feed(url="https://tech.example/feed", title="Tech Feed",
                                  site_url="https://tech.example/"))
    plain, _ = store.add_feed(Feed(url="https://plain.example/rss", title="Plain"))
    store.set_feed_category(tech, TECH)
    store.rename_feed(plain, "My plain feed")

    def put(n: int, feed: int, minutes: int) -> int:
        got = store.put_article(Article(
            title=f"Item {n}", text=f"Body of item {n}.\n\nSecond paragraph <b>{n}</b>.",
            url=f"https://news.example/i/{n}", guid=f"i-{n}", content_hash=f"ih-{n}",
            source="Example", feed_id=feed, section="technology", lang="en",
            published=T0 - timedelta(hours=1), fetched=T0 + timedelta(minutes=minutes)))
        assert got.id is not None
        return got.id

    ids["tech"] = [put(n, tech, n) for n in range(55)]
    pictured = store.put_article(Article(
        title="Harbour lights", url="https://news.example/lights", guid="lights",
        content_hash="lights", source="Example", feed_id=plain, section="technology",
        text="The lights came on.", published=T0, fetched=T0 - timedelta(days=1),
        html='<p><img src="https://img.example/lead.jpg" alt="The quay"></p>'
             '<h1>Harbour  lights</h1><p>The lights came on.</p>'
             '<p>More <img src="https://track.example/px.gif"> text.</p>'))
    ids["pictured"] = pictured.id
    ids["plain"] = [put(n, plain, n) for n in range(55, 60)]
    ids["tech_feed"], ids["plain_feed"] = tech, plain
    ana = accounts.create_user(store, "ana", PASSWORD)
    accounts.set_api_password(store, ana, API_PASSWORD)
    return store, ids


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Store, dict[str, Any]]]:
    store, ids = build_desk(str(tmp_path / "desk.db"))
    yield store, ids
    store.close()


@pytest.fixture
def site(desk: tuple[Store, dict[str, Any]]) -> Iterator[str]:
    with serve_app(make_app(desk[0], fever_api=True)) as base:
        yield base


class App:
    """Calls as Fever apps make them: POST endpoint?api&flags, api_key in the body."""

    def __init__(self, base: str, path: str, key: str = KEY) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.path, self.key = path, key

    def call(self, query: str = "", **body: Any) -> dict[str, Any]:
        answer = self.raw(query, **body)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.headers["cache-control"] == "no-store"
        assert "content-security-policy" in answer.headers
        data: dict[str, Any] = answer.json()
        assert data["api_version"] == 3
        return data

    def raw(self, query: str = "", **body: Any) -> httpx.Response:
        return self.http.post(f"{self.path}?api{query}", data={"api_key": self.key, **body})

    def ids(self, which: str) -> set[int]:
        text = self.call(f"&{which}")[which]
        assert isinstance(text, str)
        return {int(i) for i in text.split(",")} if text else set()


def all_ids(ids: dict[str, Any]) -> set[int]:
    return set(ids["tech"]) | set(ids["plain"]) | {
        v for k, v in ids.items() if isinstance(v, int) and k not in (
            "story", "tech_feed", "plain_feed")}


def login(c: httpx.Client) -> None:
    form = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)
    assert csrf
    answer = c.post("/login", data={"name": "ana", "password": PASSWORD,
                                    "csrf": csrf.group(1)})
    assert answer.status_code == 303


def unread_total(html: str) -> int:
    found = re.search(r'id="unread-total">([\d,.]+)<', html)
    assert found, "no unread count in the nav"
    return int(found.group(1).replace(",", "").replace(".", ""))


def saved_total(html: str) -> int:
    found = re.search(r'data-saved="(\d+)"', html)
    assert found, "no saved count in the nav"
    return int(found.group(1))


@pytest.mark.parametrize("path", PATHS)
def test_an_app_syncs_reads_and_marks(site: str, desk: tuple[Store, dict[str, Any]],
                                      path: str) -> None:
    sync_read_and_mark(site, desk[1], path)


def test_the_same_on_postgresql(pg_url: str) -> None:
    store, ids = build_desk(pg_url)
    try:
        with serve_app(make_app(store, fever_api=True)) as site:
            sync_read_and_mark(site, ids, "/api/fever.php")
    finally:
        store.close()


def sync_read_and_mark(site: str, ids: dict[str, Any], path: str) -> None:
    """An app's first sync, its reads and marks, then the reader's pages."""
    everything = all_ids(ids)
    app = App(site, path)
    # log in: a bare call with the key
    hello = app.call()
    assert hello["auth"] == 1 and isinstance(hello["last_refreshed_on_time"], int)
    assert App(site, path, md5(f"ana:{PASSWORD}")).call()["auth"] == 0  # the login password
    assert App(site, path, KEY.upper()).call()["auth"] == 1  # hex in either case

    # groups, feeds, favicons
    got = app.call("&groups")
    tech_group = fever_map.hashed_group_id(TECH)
    assert got["groups"] == sorted([{"id": 1, "title": "No category"},
                                    {"id": tech_group, "title": TECH}],
                                   key=lambda g: g["id"])
    members = {g["group_id"]: g["feed_ids"] for g in got["feeds_groups"]}
    assert members[tech_group] == str(ids["tech_feed"])
    assert members[1] == f"{ids['plain_feed']},{fever_map.LOOSE_FEED_ID}"
    feeds = {f["id"]: f for f in app.call("&feeds")["feeds"]}
    assert set(feeds) == {ids["tech_feed"], ids["plain_feed"], fever_map.LOOSE_FEED_ID}
    assert feeds[ids["tech_feed"]]["title"] == "Tech Feed"
    assert feeds[ids["tech_feed"]]["site_url"] == "https://tech.example/"
    assert feeds[ids["tech_feed"]]["last_updated_on_time"] == int(
        (T0 + timedelta(minutes=54)).timestamp())
    assert feeds[ids["plain_feed"]]["title"] == "My plain feed"
    assert feeds[fever_map.LOOSE_FEED_ID]["title"] == SITE_NAME
    assert {f["is_spark"] for f in feeds.values()} == {0}
    icons = app.call("&favicons")["favicons"]
    kind, _, data = icons[0]["data"].partition(";base64,")
    assert kind == "image/png" and base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    assert {f["favicon_id"] for f in feeds.values()} == {icons[0]["id"]}
    both = app.call("&groups&feeds")  # several flags, one answer
    assert {"groups", "feeds", "feeds_groups"} <= set(both)

    # items: since_id from the start (ReadYou sends it empty) until nothing comes
    seen: list[int] = []
    since = ""
    while True:
        page = app.call(f"&items&since_id={since}")
        assert page["total_items"] == len(everything)
        if not page["items"]:
            break
        assert len(page["items"]) <= 50
        page_ids = [i["id"] for i in page["items"]]
        assert page_ids == sorted(page_ids)
        seen += page_ids
        since = str(page_ids[-1])
    assert len(seen) == len(set(seen)) and set(seen) == everything
    # max_id downwards from JavaScript's largest integer (Fluent Reader)
    down: list[int] = []
    below = "9007199254740991"
    while page_items := app.call(f"&items&max_id={below}")["items"]:
        down += [i["id"] for i in page_items]
        below = str(down[-1])
    assert down == sorted(everything, reverse=True)
    # with_ids
    picked = app.call(f"&items&with_ids={ids['hostile']},{ids['tech'][0]},x,999999")["items"]
    by_id = {i["id"]: i for i in picked}
    assert set(by_id) == {ids["hostile"], ids["tech"][0]}
    many = ",".join(str(i) for i in sorted(everything))
    assert len(app.call(f"&items&with_ids={many}")["items"]) == 50
    item = by_id[ids["tech"][0]]
    assert item["feed_id"] == ids["tech_feed"] and item["title"] == "Item 0"
    assert item["is_read"] == 0 and item["is_saved"] == 0
    assert item["created_on_time"] == int((T0 - timedelta(hours=1)).timestamp())
    assert item["html"] == "<p>Body of item 0.</p>\n<p>Second paragraph &lt;b&gt;0&lt;/b&gt;.</p>"
    hostile = by_id[ids["hostile"]]["html"]
    assert hostile and "Councillors postponed" in hostile
    assert "<script" not in hostile and "onerror" not in hostile and "javascript:" not in hostile
    assert by_id[ids["hostile"]]["feed_id"] == fever_map.LOOSE_FEED_ID
    # images as the pages show them: the lead only, from the desk
    lights = app.call(f"&items&with_ids={ids['pictured']}")["items"][0]["html"]
    src = re.search(r'<img src="([^"]*)" alt="The quay">', lights)
    assert src and src.group(1).startswith(f'{site}/image/{ids["pictured"]}?k=')  # signed
    assert "track.example" not in lights and "img.example" not in lights
    assert "The lights came on." in lights and "Harbour" not in lights  # no second headline
    assert app.call("&links")["links"] == []

    # state: all unread, nothing saved
    assert app.ids("unread_item_ids") == everything
    assert app.call("&saved_item_ids")["saved_item_ids"] == ""
    # mark items (fields in the body, as Fluent Reader sends them)
    chips, sport = ids["chips"], ids["sport"]
    marked = app.call(mark="item", **{"as": "read"}, id=chips)
    assert marked["auth"] == 1 and chips not in {int(i) for i in
                                                 marked["unread_item_ids"].split(",")}
    assert app.call(mark="item", **{"as": "read"}, id=sport)["auth"] == 1
    app.call(mark="item", **{"as": "unread"}, id=sport)
    assert app.ids("unread_item_ids") == everything - {chips}
    for _ in range(2):  # setting, not toggling: twice is once
        saved = app.call(mark="item", **{"as": "saved"}, id=chips)
        assert saved["saved_item_ids"] == str(chips)
    app.call("&mark=item&as=saved&id=" + str(sport))  # fields in the query, as ReadYou does
    app.call(mark="item", **{"as": "unsaved"}, id=sport)
    assert app.ids("saved_item_ids") == {chips}
    assert app.call(f"&items&with_ids={chips}")["items"][0]["is_saved"] == 1

    # mark a feed read up to a time: what the desk stored after it stays unread
    before = int((T0 + timedelta(minutes=9)).timestamp())
    app.call(mark="feed", **{"as": "read"}, id=ids["tech_feed"], before=before)
    unread = app.ids("unread_item_ids")
    assert unread == everything - {chips} - set(ids["tech"][:10])

    # the reader's pages show the same
    with httpx.Client(base_url=site, timeout=30) as web:
        login(web)
        home = web.get("/")
        assert unread_total(home.text) == len(unread)
        assert saved_total(home.text) == 1
        assert f'id="item-{chips}"' in web.get("/saved").text
        unread_page = web.get("/unread").text
        assert f'id="item-{ids["tech"][-1]}"' in unread_page
        assert f'id="item-{ids["tech"][0]}"' not in unread_page

        # Kindling (group 0): everything read
        assert app.call("&mark=group&as=read&id=0")["unread_item_ids"] == ""
        assert unread_total(web.get("/").text) == 0
        assert web.get("/saved").text.count('id="item-') == 1


def test_marking_groups_and_the_feed_of_loose_articles(site: str,
                                                       desk: tuple[Store, dict[str, Any]]
                                                       ) -> None:
    _, ids = desk
    everything = all_ids(ids)
    app = App(site, "/fever")  # without the slash too
    now = int(datetime.now(UTC).timestamp())
    app.call(mark="group", **{"as": "read"}, id=fever_map.hashed_group_id(TECH), before=now)
    assert app.ids("unread_item_ids") == everything - set(ids["tech"])
    app.call(mark="group", **{"as": "read"}, id=-1, before=now)  # Sparks: none here
    app.call(mark="group", **{"as": "read"}, id=123456, before=now)  # no such group
    assert app.ids("unread_item_ids") == everything - set(ids["tech"])
    app.call(mark="feed", **{"as": "read"}, id=fever_map.LOOSE_FEED_ID, before=now)
    assert app.ids("unread_item_ids") == set(ids["plain"]) | {ids["pictured"]}
    app.call(mark="group", **{"as": "read"}, id=1)  # no before: up to now
    assert app.ids("unread_item_ids") == set()


def test_wrong_keys_are_refused_then_rate_limited(site: str) -> None:
    wrong = App(site, "/fever/", md5("ana:guess"))
    for _ in range(accounts.ADDRESS_FAILURES):
        assert wrong.call()["auth"] == 0
    locked = App(site, "/api/fever.php").raw()  # the right key, too late
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert locked.json()["auth"] == 0 and "too many failed keys" in locked.json()["error"]
    assert "items" not in App(site, "/fever/").raw("&items").json()


def test_requests_as_apps_send_them(site: str, desk: tuple[Store, dict[str, Any]]) -> None:
    _, ids = desk
    with httpx.Client(base_url=site, timeout=30) as http:
        # GET with the key in the query; `api=xml` still answers JSON
        got = http.get(f"/fever/?api=xml&api_key={KEY}&unread_item_ids")
        assert got.status_code == 200 and got.json()["auth"] == 1
        # multipart, as FreshRSS's curl example posts it
        multi = http.post("/api/fever.php?api&saved_item_ids",
                          files={"api_key": (None, KEY)})
        assert multi.json()["auth"] == 1 and multi.json()["saved_item_ids"] == ""
        # an address entered with a trailing slash: //fever/
        for doubled in ("//fever/?api", "//api/fever.php?api"):
            answer = http.post(site + doubled, data={"api_key": KEY})
            assert answer.url.path.startswith("//") and answer.json()["auth"] == 1
        # no key at all: refused, nothing counted
        assert http.post("/fever/?api").json() == {"api_version": 3, "auth": 0}
        too_big = http.post("/fever/?api", content=b"api_key=" + b"a" * 70_000,
                            headers={"content-type": "application/x-www-form-urlencoded"})
        assert too_big.status_code == 413 and too_big.json()["auth"] == 0
    app = App(site, "/fever/")
    # numbers that do not parse are ignored: from the start
    assert app.call("&items&since_id=abc")["items"][0]["id"] == min(all_ids(ids))
    assert app.call("&items&max_id=0")["items"][0]["id"] == max(all_ids(ids))
    assert app.call("&refresh&unread_recently_read=1")["auth"] == 1
    # writes that cannot be done say why, in one line
    for fields, reason in [({"mark": "story", "as": "read", "id": "1"}, "mark='story'"),
                           ({"mark": "item", "as": "starred", "id": "1"}, "as='starred'"),
                           ({"mark": "item", "as": "read", "id": "x"}, "integer id"),
                           ({"mark": "feed", "as": "unread", "id": "1"}, "read only")]:
        answer = app.raw(**fields)
        assert answer.status_code == 400 and answer.json()["auth"] == 1
        assert reason in answer.json()["error"] and "\n" not in answer.json()["error"]
    # unknown ids: nothing to do, no error
    assert app.call(mark="item", **{"as": "read"}, id=999_999)["auth"] == 1
    assert app.ids("unread_item_ids") == all_ids(ids)


def test_off_unless_the_setting_is_on(desk: tuple[Store, dict[str, Any]]) -> None:
    with serve_app(make_app(desk[0])) as base:
        for path in ["/fever/", "/fever", "/api/fever.php"]:
            assert App(base, path).raw("&items").status_code == 404


def test_group_ids_follow_the_names() -> None:
    names = {"World", "Tecnología", "Sport"}
    ids = fever_map.group_ids(names)
    assert ids == fever_map.group_ids(set(names))  # same names, same ids
    assert ids == {n: fever_map.hashed_group_id(n) for n in names}
    assert min(ids.values()) >= 2 and max(ids.values()) < 2**31
    assert fever_map.group_ids(names | {"Science"})["World"] == ids["World"]
    # colliding names: each later one (in sorted order) takes the next free number
    assert fever_map.group_ids({"b", "a", "c"}, hashed=lambda name: 7) == {"a": 7, "b": 8, "c": 9}
    assert fever_map.group_ids({"a", "b"}, hashed=lambda name: 2**31 - 1) == {
        "a": 2**31 - 1, "b": 2}


def test_group_titles_follow_the_readers_language(site: str,
                                                  desk: tuple[Store, dict[str, Any]]) -> None:
    store, _ = desk
    ana = store.user_by_name("ana")
    assert ana is not None
    store.set_user_settings(ana.id, {"language": "es"})
    titles = {g["id"]: g["title"] for g in App(site, "/fever/").call("&groups")["groups"]}
    assert titles[1] == "Sin categoría" and TECH in titles.values()


def test_publisher_images_when_remote_images_is_on(desk: tuple[Store, dict[str, Any]]) -> None:
    _, ids = desk
    with serve_app(make_app(desk[0], fever_api=True, remote_images=True)) as base:
        item = App(base, "/fever/").call(f"&items&with_ids={ids['pictured']}")["items"][0]
    assert item["html"].startswith('<p><img src="https://img.example/lead.jpg" alt="The quay">')
    assert "track.example" not in item["html"]


def test_wrong_keys_lock_the_address_not_the_account(site: str,
                                                     desk: tuple[Store, dict[str, Any]]) -> None:
    store, _ = desk
    wrong = App(site, "/fever/", md5("ana:guess"))
    for _ in range(accounts.ADDRESS_FAILURES):
        wrong.call()
    # ana's account has no failures: from another address she logs in at once
    by_account, by_address = store.login_failures(
        "ana", "203.0.113.9", datetime.now(UTC) - accounts.LOCK_WINDOW)
    assert (by_account, by_address) == (0, 0)
    assert accounts.authenticate(store, "ana", PASSWORD, "203.0.113.9",
                                 datetime.now(UTC)) is not None


def test_marks_sent_side_by_side(site: str, desk: tuple[Store, dict[str, Any]]) -> None:
    """Fluent Reader marks one item per call, all at once: every mark lands."""
    _, ids = desk
    targets = ids["tech"][:24]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda i: App(site, "/fever/").raw(mark="item", **{"as": "read"}, id=i),
            targets))
    assert {a.status_code for a in answers} == {200}
    app = App(site, "/fever/")
    assert app.ids("unread_item_ids") == all_ids(ids) - set(targets)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: App(site, "/fever/").raw(mark="item", **{"as": "saved"}, id=i),
                      targets[:10]))
    assert app.ids("saved_item_ids") == set(targets[:10])
