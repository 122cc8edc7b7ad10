"""newsdesk: a self-hosted news desk.

Ingest feeds, sitemaps, pages and files; extract clean text; enrich each article with language,
section, summary, key facts and entities; link similar articles and stories; serve a reader.
"""

from __future__ import annotations

import logging

from .config import Config
from .errors import NewsdeskError
from .model import Article, Entity, Feed, ImportResult, Story
from .store import Store, open_store

__version__ = "0.1.0"
__all__ = [
    "Article", "Config", "Entity", "Feed", "ImportResult", "NewsdeskError", "Story", "Store",
    "open_store", "__version__",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
