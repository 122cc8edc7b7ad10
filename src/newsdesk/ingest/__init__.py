"""Ingest: bring articles in from the outside world.

    fetch.py     polite, safe HTTP (size/time/redirect limits, conditional GET, robots.txt,
                 Retry-After, per-host delay, private-address refusal)
    feeds.py     RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 (via feedparser) -> ParsedFeed of Articles
    jsonfeed.py  JSON Feed 1.0/1.1 -> the same ParsedFeed
    sitemaps.py  XML sitemaps, sitemap indexes, Google News sitemaps (plain or gzip)
    opml.py      OPML subscription lists -> Feeds
    files.py     local files (written by the lead)
    urls.py      canonical URLs (tracking parameters dropped)
    dates.py     tolerant date reading -> aware UTC datetimes
    xmlsafe.py   the one XML parser for OPML and sitemaps: no DTD entities, no external fetches

Parse problems that still leave usable data are recorded on the result (`problems`), in the
way feedparser records `bozo`; input that cannot be used at all raises ParseError with a reason
a person can act on. Every network failure is a FetchError with a one-line reason.
"""
