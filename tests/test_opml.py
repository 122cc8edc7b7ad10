"""OPML subscription lists."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.errors import ParseError
from newsdesk.ingest.opml import parse_opml

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Example Times" xmlUrl="https://times.example/feed.xml"
               htmlUrl="https://times.example/"/>
      <outline text="Deeper">
        <outline type="rss" text="Text only" xmlurl="https://deep.example/rss"/>
      </outline>
    </outline>
    <outline type="rss" title="Title wins" text="Text loses" XMLURL="https://b.example/atom"
             htmlUrl="not a url"/>
    <outline type="rss" text="Duplicate" xmlUrl="https://times.example/feed.xml"/>
    <outline type="rss" text="FTP" xmlUrl="ftp://old.example/feed"/>
    <outline text="Just a folder"/>
  </body>
</opml>"""


def test_nested_outlines() -> None:
    feeds = parse_opml(OPML, "subs.opml")
    assert [(f.url, f.label, f.site_url) for f in feeds] == [
        ("https://times.example/feed.xml", "Example Times", "https://times.example/"),
        ("https://deep.example/rss", "Text only", None),
        ("https://b.example/atom", "Title wins", None),
    ]
    # `title` is the reader's own name, `text` the feed's title; the folder is the category
    # (the innermost one); an outline outside any folder has none
    assert [(f.name, f.title, f.category) for f in feeds] == [
        (None, "Example Times", "News"), (None, "Text only", "Deeper"),
        ("Title wins", "Text loses", None)]


def test_category_attribute_when_not_in_a_folder() -> None:
    data = (b'<opml version="2.0"><body>'
            b'<outline text="A" xmlUrl="https://a.example/rss" category="/Sport/Cycling, /x"/>'
            b'<outline text="https://b.example/rss" xmlUrl="https://b.example/rss"/>'
            b"</body></opml>")
    a, b = parse_opml(data, "subs.opml")
    assert (a.category, a.title, a.name) == ("Cycling", "A", None)
    assert (b.category, b.title, b.name) == (None, None, None)  # text was only its address


def test_opml_1_with_doctype_and_latin1() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE opml>\n<opml version="1.0">'
        '<body><outline text="Peri\u00f3dico" xmlUrl="http://p.example/rss"/></body></opml>'
    ).encode("latin-1")
    (feed,) = parse_opml(data, "old.opml")
    assert feed.title == "Peri\u00f3dico" and feed.url == "http://p.example/rss"


def test_empty_body_gives_no_feeds() -> None:
    assert parse_opml(b"<opml version='2.0'><head/><body/></opml>", "x") == []


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty document"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML document (root element is <rss>)"),
        (b"<opml><body><outline></body></opml>", "invalid XML at line 1"),
        (b"<html><body>hi</body></html>", "not an OPML document"),
        (b"\x00\x01\x02binary", "invalid XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>'
            b'<outline text="&b;" xmlUrl="http://x.example/"/></body></opml>',
            "unsafe XML",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline text="&xxe;" xmlUrl="http://x.example/"/></body></opml>',
            "unsafe XML",
        ),
    ],
)
def test_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_opml(data, "subs.opml")
    assert fragment in caught.value.reason and caught.value.name == "subs.opml"


def test_external_dtd_is_never_loaded() -> None:
    # expat cannot know &ent; is undefined without the DTD, so it skips it; nothing is fetched
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://evil.example/x.dtd">'
        b'<opml><body><outline text="A&ent;" xmlUrl="http://x.example/"/></body></opml>'
    )
    (feed,) = parse_opml(data, "subs.opml")
    assert feed.title == "A" and feed.url == "http://x.example/"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_parse_or_raise(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_opml(data, "fuzz")
