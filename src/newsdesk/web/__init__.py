"""The reader: server-rendered pages, a JSON API and RSS feeds out, built by `create_app`."""

from .app import create_app

__all__ = ["create_app"]
