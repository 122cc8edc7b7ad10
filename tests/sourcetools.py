"""A small news site on 127.0.0.1 for the sources tests: an RSS feed of two short entries,
the two article pages they link (full text with subheadings), a home page that links the
feed, a page that links no feed (an article of its own) and a page that is neither.

    with news_site() as site:  site.feed, site.home, site.lone_article, site.nothing,
                               site.titles (the two entries' headlines), site.hits
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from webtools import file_server

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Lagoon Post</title><meta property="og:site_name" content="Lagoon Post">
<meta property="article:section" content="Environment">{link}
</head><body><nav><a href="/">Home</a></nav>
<main><article><h1>{title}</h1>
<p>{lead}</p>
<h2>What the surveyors found</h2>
<p>The survey team walked the eastern shore for nine days in October and counted nests, burrows
and feeding grounds along four kilometres of mudflat, comparing each with the count of 2019.</p>
<p>Team leader Ines Varga said the recovery was "faster than any of us dared to write in the
plan", and credited the closing of two drainage channels that had dried the marsh for decades.</p>
<h2>What comes next</h2>
<p>The council will vote in December on a second phase that would restore the western shore,
at a cost of 2.4 million euros spread over three years, paid for mostly by the regional fund.</p>
</article></main><footer>Lagoon Post</footer></body></html>"""

FEED_LINK = '<link rel="alternate" type="application/rss+xml" title="Lagoon Post" href="/rss.xml">'

ENTRIES = [
    ("herons-return", "Grey herons return to nest on the eastern lagoon shore",
     "Forty pairs of grey herons nested on the eastern shore this year, the survey said."),
    ("marsh-channels", "Closing two drainage channels brought the salt marsh back",
     "The marsh has spread by a third since two channels were closed in 2021."),
]
LONE = ("ferry-timetable", "Lagoon ferry keeps its winter timetable for another year",
        "The lagoon ferry will keep running every forty minutes through the winter.")


@dataclass
class NewsSite:
    base: str
    hits: Counter[str]
    titles: tuple[str, ...] = tuple(title for _, title, _ in ENTRIES)
    lone_title: str = LONE[1]

    @property
    def feed(self) -> str:
        return self.base + "/rss.xml"

    @property
    def home(self) -> str:
        return self.base + "/"

    @property
    def lone_article(self) -> str:
        return self.base + f"/{LONE[0]}.html"

    @property
    def nothing(self) -> str:
        return self.base + "/empty.html"


def _feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}/{slug}.html</link>"
        f'<guid isPermaLink="false">{slug}</guid><pubDate>Mon, 02 Nov 2026 08:00:00 +0000'
        f"</pubDate><description>{lead}</description></item>"
        for slug, title, lead in ENTRIES)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Lagoon Post</title>'
            f"<link>{base}/</link><description>Lagoon news</description>{items}"
            "</channel></rss>").encode()


@contextmanager
def news_site() -> Iterator[NewsSite]:
    files: dict[str, tuple[str, bytes]] = {}
    with file_server(files) as (base, hits):
        html = "text/html; charset=utf-8"
        files["/rss.xml"] = ("application/rss+xml", _feed(base))
        files["/"] = (html, (f"<!doctype html><html><head><title>Lagoon Post</title>{FEED_LINK}"
                             "</head><body><p>Lagoon Post</p></body></html>").encode())
        for slug, title, lead in ENTRIES:
            files[f"/{slug}.html"] = (html, PAGE.format(title=title, lead=lead,
                                                        link=FEED_LINK).encode())
        slug, title, lead = LONE
        files[f"/{slug}.html"] = (html, PAGE.format(title=title, lead=lead, link="").encode())
        files["/empty.html"] = (html, b"<!doctype html><html><head><title>Nothing</title>"
                                      b"</head><body><p>Hi.</p></body></html>")
        yield NewsSite(base, hits)
