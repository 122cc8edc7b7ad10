"""The Google Reader API driven as the apps drive it, call by call, against a running server
on a real SQLite file: log in, list subscriptions and tags, page through the unread stream,
fetch contents, mark read and starred, mark all as read, unread counts; then the reader's own
pages show the same. Each flow runs at the generic paths and at FreshRSS's (/api/greader.php).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from newsdesk import accounts
from newsdesk.model import Article, Feed
from newsdesk.store import Store
from newsdesk.store.accounts import ItemQuery
from newsdesk.web import greader_streams
from webtools import file_server, make_app, sample_store, serve_app

PASSWORD = "correct horse battery"
API_PASSWORD = "api password for apps"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PREFIXES = ["", "/api/greader.php"]
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LONG = "tag:google.com,2005:reader/item/"

Desk = tuple[Store, dict[str, int], dict[str, list[int]]]


def _put(store: Store, n: int, feed_id: int, section: str) -> int:
    got = store.put_article(Article(
        title=f"Dispatch {n}", text=f"Body of dispatch {n}.\n\nSecond paragraph <{n}>.",
        url=f"https://news.example/d/{n}", guid=f"d-{n}", content_hash=f"dh-{n}",
        source="Example News", byline="A. Writer", feed_id=feed_id, section=section,
        lang="en", published=T0, fetched=T0 + timedelta(minutes=n)))
    assert got.id is not None
    return got.id


@pytest.fixture
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """The sample desk (7 articles of no feed) plus two feeds: "El Diario" (12 articles, in
    the folder "Noticias") and "Wire" (5 articles, in no folder). On SQLite, or on
    PostgreSQL when a test asks for it (indirect parameter "postgresql")."""
    engine = getattr(request, "param", "sqlite")
    where = request.getfixturevalue("pg_url") if engine == "postgresql" else tmp_path / "desk.db"
    store, ids = sample_store(where)
    diario, _ = store.add_feed(Feed(url="https://diario.example/rss", title="El Diario",
                                    site_url="https://diario.example/"))
    wire, _ = store.add_feed(Feed(url="https://wire.example/atom", title="Wire"))
    store.set_feed_category(diario, "Noticias")
    feeds = {"diario": [_put(store, n, diario, "politics") for n in range(12)],
             "wire": [_put(store, n, wire, "sport") for n in range(12, 17)]}
    ids["diario_feed"], ids["wire_feed"] = diario, wire
    ana = accounts.create_user(store, "ana", PASSWORD)
    accounts.set_api_password(store, ana, API_PASSWORD)
    root = accounts.create_user(store, "root", PASSWORD, is_admin=True)
    accounts.set_api_password(store, root, API_PASSWORD)
    yield store, ids, feeds
    store.close()


@pytest.fixture
def site(desk: Desk) -> Iterator[str]:
    with serve_app(make_app(desk[0], greader_api=True)) as base:
        yield base


def client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=False, timeout=60)


def client_login(c: httpx.Client, prefix: str, name: str = "ana",
                 password: str = API_PASSWORD) -> httpx.Response:
    return c.post(f"{prefix}/accounts/ClientLogin", data={"Email": name, "Passwd": password})


def app_client(base: str, prefix: str, name: str = "ana") -> httpx.Client:
    """A client logged in as an app is: the Auth token in every request's header."""
    with client(base) as first:
        answer = client_login(first, prefix, name)
    assert answer.status_code == 200, answer.text
    auth = re.search(r"^Auth=(\S+)$", answer.text, re.MULTILINE)
    assert auth, answer.text
    c = client(base)
    c.headers["Authorization"] = f"GoogleLogin auth={auth.group(1)}"
    return c


def ids_of(answer: httpx.Response) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [int(ref["id"]) for ref in answer.json()["itemRefs"]]


def all_ids(c: httpx.Client, api: str, **params: str) -> list[int]:
    """Every id of a stream, page by page through the continuation."""
    got: list[int] = []
    cont = None
    for _ in range(100):
        answer = c.get(f"{api}/stream/items/ids", params={**params, **({"c": cont} if cont
                                                                       else {})})
        got += ids_of(answer)
        cont = answer.json().get("continuation")
        if cont is None:
            return got
        assert isinstance(cont, str)
    raise AssertionError("the continuation never ended")


def unread_total(html: str) -> int:
    found = re.search(r'id="unread-total">(\d+)<', html)
    assert found, "no unread count in the nav"
    return int(found.group(1))


def web_login(c: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    form = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)
    assert csrf
    return c.post("/login", data={"name": "ana", "password": password,
                                  "csrf": csrf.group(1), "next": "/"})


@pytest.mark.parametrize(("prefix", "desk"), [("", "sqlite"), ("/api/greader.php", "sqlite"),
                                             ("", "postgresql")], indirect=["desk"])
def test_an_app_reads_and_marks_through_the_api(site: str, desk: Desk, prefix: str) -> None:
    store, ids, feeds = desk
    api = f"{prefix}/reader/api/0"
    everything = sorted(feeds["diario"] + feeds["wire"]
                        + [ids[k] for k in ("flood_en", "flood_es", "flood_wire", "chips",
                                            "hostile", "sport", "science")])
    with client(site) as c:
        # the login password is not the API password; wrong ones are refused
        assert client_login(c, prefix, password=PASSWORD).status_code == 401
        assert client_login(c, prefix, password="not it at all").status_code == 401
        assert client_login(c, prefix, name="nobody").status_code == 401
        # FreshRSS's curl example logs in by GET
        by_get = c.get(f"{prefix}/accounts/ClientLogin",
                       params={"Email": "ana", "Passwd": API_PASSWORD})
        assert by_get.status_code == 200
        lines = dict(line.split("=", 1) for line in by_get.text.strip().split("\n"))
        assert set(lines) == {"SID", "LSID", "Auth"} and "=" not in lines["Auth"]
        as_json = c.post(f"{prefix}/accounts/ClientLogin", data={
            "Email": "ana", "Passwd": API_PASSWORD, "output": "json", "client": "ReadYou",
            "accountType": "HOSTED_OR_GOOGLE", "service": "reader"})
        assert as_json.json()["Auth"] == lines["Auth"]  # the same token at every login
    with app_client(site, prefix) as c:
        t = c.get(f"{api}/token")
        assert t.status_code == 200 and t.text.strip()
        action = t.text.strip()
        info = c.get(f"{api}/user-info", params={"output": "json"}).json()
        assert info["userName"] == "ana" and isinstance(info["userId"], str)

        listing = c.get(f"{api}/subscription/list", params={"output": "json"})
        assert listing.headers["cache-control"] == "private, no-cache"
        assert "sandbox" in listing.headers["content-security-policy"]
        assert listing.headers["x-content-type-options"] == "nosniff"
        subs = listing.json()
        by_id = {s["id"]: s for s in subs["subscriptions"]}
        diario = f"feed/{ids['diario_feed']}"
        wire = f"feed/{ids['wire_feed']}"
        assert set(by_id) == {diario, wire, "feed/0"}  # feed/0: the articles of no feed
        assert by_id[diario]["title"] == "El Diario"
        assert by_id[diario]["categories"] == [{"id": "user/-/label/Noticias",
                                                "label": "Noticias"}]
        assert by_id[wire]["categories"] == []
        assert by_id[diario]["url"] == "https://diario.example/rss"
        tags = c.get(f"{api}/tag/list", params={"output": "json"}).json()["tags"]
        tag_ids = {t["id"]: t for t in tags}
        assert STARRED in tag_ids
        assert tag_ids["user/-/label/Noticias"]["type"] == "folder"
        # every category a subscription lists is a tag (else NetNewsWire drops the folders)
        for sub in subs["subscriptions"]:
            assert all(cat["id"] in tag_ids for cat in sub["categories"])
        sections = [t for t in tags if t["id"].startswith("user/-/label/Section: ")]
        assert sections and all(t["type"] == "tag" for t in sections)
        assert tag_ids["user/-/label/Section: Sport"]["unread_count"] == 6

        # page through the unread stream, 5 at a time, marking items read between pages
        # as an app syncing would: nothing is skipped, nothing comes twice
        seen: list[int] = []
        cont = None
        while True:
            params = {"s": READING_LIST, "xt": READ, "n": "5", "output": "json"}
            answer = c.get(f"{api}/stream/items/ids", params={**params, **({"c": cont}
                                                                          if cont else {})})
            page = ids_of(answer)
            assert len(page) <= 5
            seen += page
            if page:
                assert c.post(f"{api}/edit-tag", data={"T": action, "i": str(page[0]),
                                                       "a": READ}).text == "OK"
            cont = answer.json().get("continuation")
            if cont is None:
                break
        assert seen == everything[::-1] and len(set(seen)) == len(seen)
        marked = seen[::5]
        assert set(all_ids(c, api, s=READ)) == set(marked)
        unread_now = all_ids(c, api, s=READING_LIST, xt=READ, n="1000")
        assert set(unread_now) == set(everything) - set(marked)
        assert all_ids(c, api, s=READING_LIST, r="o", n="4") == everything  # oldest first

        # contents by id, in every spelling the apps use: long, short hex, decimal
        pick = [feeds["diario"][3], ids["hostile"], feeds["wire"][0]]
        spelled = [f"{LONG}{pick[0]:016x}", f"{pick[1]:016x}", str(pick[2]),
                   f"{LONG}{999_999:x}"]  # an unknown id is skipped
        got = c.post(f"{api}/stream/items/contents",
                     data={"T": action, "output": "json", "i": spelled}).json()
        assert isinstance(got["id"], str) and isinstance(got["updated"], int)
        items = got["items"]
        assert [item["id"] for item in items] == [f"{LONG}{i:016x}" for i in pick]
        first = items[0]
        assert first["title"] == "Dispatch 3" and first["author"] == "A. Writer"
        assert first["canonical"][0]["href"] == "https://news.example/d/3"
        assert first["alternate"][0]["href"] == "https://news.example/d/3"
        assert first["origin"]["streamId"] == diario and first["origin"]["title"] == "El Diario"
        fetched = T0 + timedelta(minutes=3)
        assert first["timestampUsec"] == str(int(fetched.timestamp() * 1_000_000))
        assert first["crawlTimeMsec"] == str(int(fetched.timestamp() * 1000))
        assert first["published"] == int(T0.timestamp())
        assert "<p>Second paragraph &lt;3&gt;.</p>" in first["summary"]["content"]
        assert READING_LIST in first["categories"] and "user/-/label/Noticias" in \
            first["categories"]
        assert READ not in first["categories"]  # dispatch 3 was not among those marked
        hostile = items[1]
        assert hostile["origin"]["streamId"] == "feed/0"
        assert "<script" not in hostile["summary"]["content"]
        assert "javascript:" not in hostile["summary"]["content"]
        assert "onerror" not in hostile["summary"]["content"]

        # star one, mark two read, one unread again
        star, read_two = feeds["wire"][1], [f"{LONG}{i:016x}" for i in feeds["wire"][2:4]]
        assert c.post(f"{api}/edit-tag", data={"T": action, "i": str(star),
                                               "a": STARRED}).text == "OK"
        assert c.post(f"{api}/edit-tag", data={"i": read_two, "a": READ}).text == "OK"  # no T
        assert c.post(f"{api}/edit-tag", data={"T": "x", "i": str(marked[0]),
                                               "r": READ}).text == "OK"
        assert all_ids(c, api, s=STARRED) == [star]
        contents = c.post(f"{api}/stream/items/contents",
                          data={"i": [str(star), str(marked[0])]}).json()["items"]
        categories = {int(i["id"][len(LONG):], 16): i["categories"] for i in contents}
        assert STARRED in categories[star] and READ not in categories[marked[0]]

        # a feed's items by stream id, with its contents page by page
        wire_ids = all_ids(c, api, s=wire)
        assert wire_ids == feeds["wire"][::-1]
        page1 = c.get(f"{api}/stream/contents/{wire}", params={"n": "3"}).json()
        assert [int(i["id"][len(LONG):], 16) for i in page1["items"]] == wire_ids[:3]
        page2 = c.get(f"{api}/stream/contents/{wire}",
                      params={"n": "3", "c": page1["continuation"]}).json()
        assert [int(i["id"][len(LONG):], 16) for i in page2["items"]] == wire_ids[3:]
        assert "continuation" not in page2
        # a label, and the unread of it
        label = all_ids(c, api, s="user/-/label/Noticias", xt=READ)
        unread_again = {marked[0]} & set(feeds["diario"])
        assert set(label) == set(feeds["diario"]) - set(marked) | unread_again
        # ot: only what was fetched from then on
        later = c.get(f"{api}/stream/items/ids", params={
            "s": wire, "ot": str(int((T0 + timedelta(minutes=15)).timestamp()))})
        assert set(ids_of(later)) == set(feeds["wire"][3:])

        # unread counts
        counts = {u["id"]: u for u in c.get(f"{api}/unread-count",
                                            params={"output": "json"}).json()["unreadcounts"]}
        ana = store.user_by_name("ana")
        assert ana is not None
        unread = {r.id for r in store.item_refs(ana.id, ItemQuery(view="unread", limit=None))}
        assert counts[READING_LIST]["count"] == len(unread)
        diario_unread = len(set(feeds["diario"]) & unread)
        assert counts[diario]["count"] == diario_unread
        assert counts["user/-/label/Noticias"]["count"] == diario_unread
        assert isinstance(counts[diario]["newestItemTimestampUsec"], str)

        # mark all as read: a feed up to a time (what arrived after stays unread) ...
        upto = T0 + timedelta(minutes=5)
        assert c.post(f"{api}/mark-all-as-read", data={
            "T": action, "s": diario,
            "ts": str(int(upto.timestamp() * 1_000_000))}).text == "OK"
        left = all_ids(c, api, s=diario, xt=READ)
        assert left and all(i > feeds["diario"][5] for i in left)
        # ... then everything
        assert c.post(f"{api}/mark-all-as-read", data={"T": action,
                                                       "s": READING_LIST}).text == "OK"
        assert all_ids(c, api, s=READING_LIST, xt=READ) == []
        assert c.post(f"{api}/edit-tag", data={"T": action, "i": str(feeds["wire"][4]),
                                               "r": READ}).text == "OK"
        final = c.get(f"{api}/unread-count").json()["unreadcounts"]
        assert {u["id"]: u["count"] for u in final} == {wire: 1, READING_LIST: 1,
                                                        "user/-/label/Section: Sport": 1}

    # the reader's own pages show the same state
    with client(site) as web:
        assert web_login(web, API_PASSWORD).status_code == 401  # not the API password
        assert web_login(web).status_code == 303
        home = web.get("/")
        assert unread_total(home.text) == 1
        unread_page = web.get("/unread")
        assert f'id="item-{feeds["wire"][4]}"' in unread_page.text
        assert unread_page.text.count('data-action="toggle-read"') == 1
        saved = web.get("/saved")
        assert f'id="item-{star}"' in saved.text


@pytest.mark.parametrize("prefix", PREFIXES)
def test_calls_without_a_valid_token_refused(site: str, desk: Desk, prefix: str) -> None:
    store, ids, feeds = desk
    api = f"{prefix}/reader/api/0"
    calls = [("GET", "/token", {}), ("GET", "/user-info", {}),
             ("GET", "/subscription/list", {}), ("GET", "/tag/list", {}),
             ("GET", "/unread-count", {}), ("GET", "/stream/items/ids", {"s": READING_LIST}),
             ("GET", "/stream/contents/" + READING_LIST, {}),
             ("POST", "/stream/items/contents", {"i": str(ids["chips"])}),
             ("POST", "/edit-tag", {"i": str(ids["chips"]), "a": READ}),
             ("POST", "/mark-all-as-read", {"s": READING_LIST}),
             ("POST", "/subscription/edit", {"ac": "unsubscribe",
                                             "s": f"feed/{ids['wire_feed']}"})]
    with client(site) as c:
        good = app_client(site, prefix)
        real = good.headers["Authorization"].split("=", 1)[1]
        uid, digest = real.split("/")
        bad_headers = [{}, {"Authorization": "GoogleLogin auth=1/0123abcd"},
                       {"Authorization": f"GoogleLogin auth={int(uid) + 1}/{digest}"},
                       {"Authorization": f"Bearer {real}"}]
        for headers in bad_headers:
            for method, path, params in calls:
                answer = c.request(method, api + path, headers=headers,
                                   **({"params": params} if method == "GET"
                                      else {"data": params}))
                assert answer.status_code == 401, (headers, path, answer.text)
                assert answer.text.startswith("Unauthorized")
                assert answer.headers["x-reader-google-bad-token"] == "true"
        # a wrong T with a valid header is refused too; a missing, empty or "x" one is not
        wrong_t = good.post(f"{api}/edit-tag", data={"T": "forged", "i": str(ids["chips"]),
                                                     "a": READ})
        assert wrong_t.status_code == 401 and wrong_t.headers["x-reader-google-bad-token"]
        # a POST that carries the Auth token as T alone (Miniflux's way) is accepted
        by_t = c.post(f"{api}/edit-tag", data={"T": real, "i": str(ids["chips"]),
                                               "a": STARRED})
        assert by_t.text == "OK"
        good.close()
    ana = store.user_by_name("ana")
    assert ana is not None
    state = store.article_states(ana.id, [ids["chips"]])[ids["chips"]]
    assert not state.read and state.saved
    assert [f.id for f in store.feeds()] == [ids["diario_feed"], ids["wire_feed"]]


def test_tokens_survive_restarts_and_end_with_a_new_password_or_logout(desk: Desk) -> None:
    store, _, _ = desk
    with serve_app(make_app(store, greader_api=True)) as base:
        c = app_client(base, "")
        assert c.get("/reader/api/0/user-info").status_code == 200
    with serve_app(make_app(store, greader_api=True)) as base:  # another server, same token
        c.base_url = httpx.URL(base)
        assert c.get("/reader/api/0/user-info").status_code == 200
        again = app_client(base, "")  # the same token at every login
        assert again.headers["Authorization"] == c.headers["Authorization"]
        ana = store.user_by_name("ana")
        assert ana is not None
        store.end_sessions(ana.id)  # `newsdesk user logout ana`
        assert c.get("/reader/api/0/user-info").status_code == 401
        after_logout = app_client(base, "")
        assert after_logout.get("/reader/api/0/user-info").status_code == 200
        accounts.set_api_password(store, store.user_by_name("ana"),  # type: ignore[arg-type]
                                  "a brand new api password")
        assert after_logout.get("/reader/api/0/user-info").status_code == 401
        assert client_login(client(base), "").status_code == 401  # the old API password
        c.close()
        again.close()
        after_logout.close()


def test_client_login_is_rate_limited(site: str) -> None:
    with client(site) as c:
        for _ in range(accounts.LOCK_FAILURES):
            assert client_login(c, "", password="wrong wrong wrong").status_code == 401
        locked = client_login(c, "/api/greader.php")  # the right password, too late
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        assert "Auth=" not in locked.text
        assert client_login(c, "", name="root").status_code == 200  # another account
        # web logins count against the same account
        form = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]*)"', form.text)
        assert csrf
        web = c.post("/login", data={"name": "ana", "password": PASSWORD,
                                     "csrf": csrf.group(1)})
        assert web.status_code == 429


def test_off_unless_the_setting_is_on(desk: Desk) -> None:
    with serve_app(make_app(desk[0])) as base, client(base) as c:
        for prefix in PREFIXES:
            assert client_login(c, prefix).status_code == 404
            assert c.get(f"{prefix}/reader/api/0/user-info").status_code == 404
            assert c.get(f"{prefix}/reader/api/0/stream/contents/{READING_LIST}"
                         ).status_code == 404


def test_bad_parameters_get_a_clear_400(site: str, desk: Desk) -> None:
    _, ids, _ = desk
    api = "/reader/api/0"
    with app_client(site, "") as c:
        cases = [
            ("GET", "/stream/items/ids", {"s": READING_LIST, "n": "many"}, "n='many'"),
            ("GET", "/stream/items/ids", {"s": READING_LIST, "c": "abc"}, "c='abc'"),
            ("GET", "/stream/items/ids", {"s": READING_LIST, "ot": "yesterday"}, "ot="),
            ("GET", "/stream/items/ids", {}, "s (the stream) is missing"),
            ("GET", "/stream/items/ids", {"s": "bogus/stream"}, "not a stream id"),
            ("POST", "/edit-tag", {"i": "not-an-id", "a": READ}, "not an item id"),
            ("POST", "/edit-tag", {"i": str(ids["chips"]), "a": READ, "r": READ},
             "both added and removed"),
            ("POST", "/mark-all-as-read", {"s": READING_LIST, "ts": "soon"}, "ts="),
            ("POST", "/subscription/edit", {"ac": "explode", "s": "feed/1"}, "ac="),
        ]
        for method, path, params, reason in cases:
            answer = c.request(method, api + path, **({"params": params} if method == "GET"
                                                       else {"data": params}))
            assert answer.status_code == 400, (path, params, answer.text)
            assert answer.text.startswith("Bad Request") and reason in answer.text
        assert c.get(f"{api}/stream/items/ids",
                     params={"s": "user/-/label/No Such Folder"}).status_code == 404
        assert c.get(f"{api}/stream/items/ids", params={"s": "feed/987654"}).status_code == 404
        too_many = c.post(f"{api}/stream/items/contents",
                          data={"i": [str(n) for n in range(1, 1102)]})
        assert too_many.status_code == 400 and "at most 1000" in too_many.text
        huge = c.post(f"{api}/edit-tag", content=b"i=1&" * 300_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert huge.status_code == 413


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>https://gazette.example/</link>
<item><title>Ferry timetable changes</title><link>https://gazette.example/ferry</link>
<guid>g-1</guid><description>The winter ferry timetable starts on Monday, with two
crossings fewer each day.</description><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>Lighthouse reopens</title><link>https://gazette.example/light</link>
<guid>g-2</guid><description>The old lighthouse on the north pier reopens to visitors
after a year of repairs.</description><pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_an_admin_manages_subscriptions_a_reader_may_not(desk: Desk) -> None:
    store, ids, _ = desk
    files = {"/feed.xml": ("application/rss+xml", FEED),
             "/ferry": ("text/html", b"<html><body><p>Ferry.</p></body></html>"),
             "/light": ("text/html", b"<html><body><p>Light.</p></body></html>")}
    with file_server(files) as (origin, _hits), \
            serve_app(make_app(store, greader_api=True, allow_private=True, embedder="hash",
                               per_host_delay=0.0, fetch_full_text=False)) as base:
        api = "/reader/api/0"
        with app_client(base, "") as reader:
            refused = reader.post(f"{api}/subscription/quickadd",
                                  data={"quickadd": origin + "/feed.xml"})
            assert refused.status_code == 403
            assert reader.post(f"{api}/subscription/edit", data={
                "ac": "unsubscribe", "s": f"feed/{ids['wire_feed']}"}).status_code == 403
        with app_client(base, "/api/greader.php", "root") as admin:
            api = "/api/greader.php" + api
            added = admin.post(f"{api}/subscription/quickadd",
                               data={"quickadd": origin + "/feed.xml"}).json()
            assert added["numResults"] == 1 and added["streamName"] == "Harbour Gazette"
            stream = added["streamId"]
            listed = {s["id"]: s for s in admin.get(f"{api}/subscription/list").json()[
                "subscriptions"]}
            assert stream in listed
            assert len(all_ids(admin, api, s=stream)) == 2  # imported through the pipeline
            # rename and file it in a folder, then move the folder, then unsubscribe
            assert admin.post(f"{api}/subscription/edit", data={
                "ac": "edit", "s": stream, "t": "The Gazette",
                "a": "user/-/label/Local"}).text == "OK"
            listed = {s["id"]: s for s in admin.get(f"{api}/subscription/list").json()[
                "subscriptions"]}
            assert listed[stream]["title"] == "The Gazette"
            assert listed[stream]["categories"][0]["label"] == "Local"
            assert admin.post(f"{api}/rename-tag", data={
                "s": "user/-/label/Local", "dest": "user/-/label/Harbour"}).text == "OK"
            assert len(all_ids(admin, api, s="user/-/label/Harbour")) == 2
            assert admin.post(f"{api}/disable-tag",
                              data={"s": "user/-/label/Harbour"}).text == "OK"
            tags = {t["id"] for t in admin.get(f"{api}/tag/list").json()["tags"]}
            assert "user/-/label/Harbour" not in tags
            failed = admin.post(f"{api}/subscription/quickadd",
                                data={"quickadd": origin + "/missing.xml"}).json()
            assert failed["numResults"] == 0 and failed["error"]
            assert admin.post(f"{api}/subscription/edit",
                              data={"ac": "unsubscribe", "s": stream}).text == "OK"
            listed = {s["id"] for s in admin.get(f"{api}/subscription/list").json()[
                "subscriptions"]}
            assert stream not in listed
            assert store.count_articles() == 26  # the feed's articles stay, in feed/0


def test_sections_and_followed_stories_are_tags(site: str, desk: Desk) -> None:
    store, ids, feeds = desk
    ana = store.user_by_name("ana")
    assert ana is not None
    story = store.story(ids["story"])
    assert story is not None
    store.follow_story(ana.id, story.id)
    api = "/api/greader.php/reader/api/0"
    with app_client(site, "/api/greader.php") as c:
        tags = {t["id"]: t for t in c.get(f"{api}/tag/list").json()["tags"]}
        label = f"user/-/label/Story {story.id}: {story.title}"
        assert tags[label]["type"] == "tag" and tags[label]["unread_count"] == 3
        in_story = {ids["flood_en"], ids["flood_es"], ids["flood_wire"]}
        assert set(all_ids(c, api, s=label)) == in_story
        # the label is found by the story's id, whatever title the app kept
        assert set(all_ids(c, api, s=f"user/-/label/Story {story.id}: old title")) == in_story
        assert set(all_ids(c, api, s="user/-/label/Section: Sport")) == \
            set(feeds["wire"]) | {ids["sport"]}
        item = c.post(f"{api}/stream/items/contents",
                      data={"i": str(ids["flood_es"])}).json()["items"][0]
        assert label in item["categories"]
        assert "user/-/label/Section: Environment" in item["categories"]
        # marking the story's label read marks its articles read
        assert c.post(f"{api}/mark-all-as-read", data={"s": label}).text == "OK"
        assert store.story_unread_counts(ana.id, [story.id]).get(story.id, 0) == 0
        counts = {u["id"] for u in c.get(f"{api}/unread-count").json()["unreadcounts"]}
        assert label not in counts and "user/-/label/Section: Sport" in counts
        # a folder may not be named like a section or a story
        with app_client(site, "", "root") as admin:
            answer = admin.post("/reader/api/0/subscription/edit", data={
                "ac": "edit", "s": f"feed/{ids['wire_feed']}",
                "a": "user/-/label/Section: Sport"})
            assert answer.status_code == 400 and "names a section or a story" in answer.text


def test_item_ids_in_every_spelling() -> None:
    parse = greader_streams.parse_item_id
    n = 312840
    for spelled in (f"{LONG}{n:016x}", f"{LONG}{n:x}", f"{n:016x}", str(n), f" {n} "):
        assert parse(spelled) == n, spelled
    assert greader_streams.long_id(n) == "tag:google.com,2005:reader/item/000000000004c608"
    assert parse("0000000000000010") == 16  # 16 digits with a leading 0: hex
    assert parse("1234567890123456") == 1234567890123456  # 16 digits, no leading 0: decimal
    assert parse("-1") == 2**64 - 1  # Google's signed spelling
    # ids beyond ours name no article: left out, like unknown ids
    assert greader_streams.parse_item_ids(["-1", "7", str(n), "7"]) == [7, n]
    for bad in ("", "abc", f"{LONG}xyz", "0", "12.5", "1" * 30, "tag:google.com,2005:x/1"):
        with pytest.raises(greader_streams.BadInput, match="is not an item id"):
            parse(bad)


def test_stream_contents_in_the_forms_apps_send(site: str, desk: Desk) -> None:
    _, ids, feeds = desk
    api = "/reader/api/0"
    wire = f"feed/{ids['wire_feed']}"
    with app_client(site, "") as c:
        def got(path: str, **params: str) -> list[int]:
            answer = c.get(path, params=params)
            assert answer.status_code == 200, (path, answer.text)
            return [int(i["id"][len(LONG):], 16) for i in answer.json()["items"]]

        newest = got(f"{api}/stream/contents/{READING_LIST}", n="3")
        assert len(newest) == 3
        assert got(f"{api}/stream/contents", n="3") == newest  # no stream: the reading list
        assert got(f"{api}/stream/contents/", n="3") == newest
        assert got(f"{api}/stream/contents/reading-list", n="3") == newest
        assert got(f"{api}/stream/contents", s=READING_LIST, n="3") == newest  # FeedMe
        by_feed = feeds["wire"][::-1]
        assert got(f"{api}/stream/contents/{quote(wire, safe='')}", n="10") == by_feed
        assert got(f"{api}/stream/contents/feed/https://wire.example/atom", n="10") == by_feed
        assert got(f"{api}/stream/contents/user/1/label/Noticias",  # Miniflux's user ids
                   n="20", r="o") == feeds["diario"]
        # the user's own state: starred and unread together
        c.post(f"{api}/edit-tag", data={"i": [str(i) for i in by_feed[:2]], "a": STARRED})
        c.post(f"{api}/edit-tag", data={"i": str(by_feed[0]), "a": READ})
        assert got(f"{api}/stream/contents/{STARRED}", xt=READ) == [by_feed[1]]
        assert got(f"{api}/stream/contents/{STARRED}", it=READ) == [by_feed[0]]
        assert got(f"{api}/stream/contents/{wire}", xt=STARRED) == by_feed[2:]


def test_an_address_entered_with_a_trailing_slash_still_works(site: str) -> None:
    """Apps join the address and the path: "http://desk/" gives //accounts/ClientLogin."""
    with client(site) as c:
        answer = c.post(site + "//accounts/ClientLogin",
                        data={"Email": "ana", "Passwd": API_PASSWORD})
        assert answer.status_code == 200 and "Auth=" in answer.text
        token = re.search(r"^Auth=(\S+)$", answer.text, re.MULTILINE)
        assert token
        info = c.get(site + "//api/greader.php//reader/api/0/user-info",
                     headers={"Authorization": f"GoogleLogin auth={token.group(1)}"})
        assert info.status_code == 200 and info.json()["userName"] == "ana"
        assert c.get(site + "//reader/api/0/user-info").status_code == 401  # still checked
        assert c.get(site + "//article/1").status_code == 404  # only the apps' paths
        feed = quote("feed/https://wire.example/atom", safe="")
        assert c.get(site + "//reader/api/0/stream/contents/" + feed,
                     headers={"Authorization": f"GoogleLogin auth={token.group(1)}"}
                     ).status_code == 200
