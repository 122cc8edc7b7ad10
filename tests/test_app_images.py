"""The lead image an app is given loads without the reader's cookie, even when reading is
private: its /image/ID address is signed for that one image (app_items.py, auth.py)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from newsdesk import accounts
from newsdesk.model import Article
from newsdesk.store import open_store
from webtools import file_server, make_app, png, serve_app

API_PASSWORD = "api password for apps"
LEAD = ('<figure><img src="{src}" alt="The barrier"></figure>'
        "<p>The barrier closed for the first time on Friday.</p>")


def test_an_apps_signed_image_address_opens_that_image_only(tmp_path: Path) -> None:
    with file_server({"/lead.png": ("image/png", png(8, 4))}) as (origin, _hits):
        store = open_store(tmp_path / "private.db")
        ids = [store.put_article(Article(
            title=f"The barrier holds {n}", url=f"https://publisher.example/barrier-{n}",
            source="Publisher", text="The barrier closed for the first time on Friday.",
            html=LEAD.format(src=f"{origin}/lead.png"))).id for n in range(2)]
        ana = accounts.create_user(store, "ana", "correct horse battery")
        accounts.set_api_password(store, ana, API_PASSWORD)
        app = make_app(store, greader_api=True, public_reading=False, allow_private=True)
        with serve_app(app) as base, httpx.Client(base_url=base, timeout=30) as c:
            login = c.post("/accounts/ClientLogin",
                           data={"Email": "ana", "Passwd": API_PASSWORD})
            token = re.search(r"^Auth=(\S+)$", login.text, re.MULTILINE)
            assert token
            items = c.get("/reader/api/0/stream/contents/user/-/state/com.google/reading-list",
                          headers={"Authorization": f"GoogleLogin auth={token.group(1)}"},
                          params={"output": "json"}).json()["items"]
            srcs = {}
            for item in items:
                found = re.search(r'<img src="([^"]*)"', item["content"]["content"])
                assert found, item["content"]["content"]
                srcs[int(item["id"].rsplit("/", 1)[1], 16)] = found.group(1)
            first, second = ids
            # at the address the app used (no base_url set)
            assert srcs[first].startswith(f"{base}/image/{first}?k=")
            # no cookie, reading private: the signed address loads the image
            image = c.get(srcs[first])
            assert image.status_code == 200 and image.headers["content-type"] == "image/png"
            assert image.content == png(8, 4)
            # unsigned, wrongly signed, or another image's signature: the login page
            key = urlsplit(srcs[first]).query[len("k="):]
            for url in (f"/image/{first}", f"/image/{first}?k={'0' * 32}",
                        f"/image/{second}?k={key}", f"/article/{first}?k={key}"):
                assert c.get(url).status_code == 303, url
        store.close()
