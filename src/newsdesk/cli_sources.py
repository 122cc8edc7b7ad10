"""Commands for the feeds one subscribes to, beside `add-feed` and `feeds` (cli.py):

    export-opml [FILE]                 the subscriptions as OPML 2.0 (standard output by
                                       default); `newsdesk import FILE.opml` reads it back
    feed rename ID NAME | --none       the reader's own name for a feed (--none: its own title)
    feed category ID NAME | --none     put a feed in a category, or in none
    feed remove ID                     unsubscribe; the feed's articles stay

IDs are those `newsdesk feeds` lists. A bad id or name is one line on stderr and exit 1.
Registered on the main app by cli.py.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .cli_base import open_desk, settings
from .errors import InputError, NewsdeskError
from .model import Feed
from .sources import check_name, export_opml
from .store import Store

feed_app = typer.Typer(no_args_is_help=True,
                       help="Change a subscribed feed: rename, categorise, remove.")
MAX_ID = 2**63 - 1


class NoSuchFeed(NewsdeskError):
    """No feed with that id (exit 1)."""


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _feed(store: Store, ident: str) -> Feed:
    text = ident.strip()
    feed = store.feed(int(text)) if text.isdigit() and 0 < int(text) <= MAX_ID else None
    if feed is None or feed.id is None:
        raise NoSuchFeed(f"no feed with id {ident!r} (`newsdesk feeds` lists them)")
    return feed


def _value(value: str | None, none: bool, what: str) -> str | None:
    """The name or category given, or None with --none; refused when neither or both."""
    if none == (value is not None):
        raise InputError(what, f"give a {what} or --none, not both and not neither")
    if none:
        return None
    assert value is not None
    checked = check_name(value, what)
    if checked is None:
        raise InputError(what, f"empty: give a {what}, or --none to clear it")
    return checked


IdArg = Annotated[str, typer.Argument(metavar="ID", help="The feed's id (`newsdesk feeds`).")]
NoneOption = Annotated[bool, typer.Option("--none", help="Clear it.")]


@feed_app.command("rename")
def feed_rename(ident: IdArg,
                name: Annotated[str | None, typer.Argument(help="The new name.")] = None,
                none: NoneOption = False) -> None:
    """Give a feed a name of your own (--none: back to the feed's own title)."""
    store = open_desk()
    feed = _feed(store, ident)
    assert feed.id is not None
    new = _value(name, none, "name")
    store.rename_feed(feed.id, new)
    _say(f"feed {feed.id} is now called {new!r}" if new else
         f"feed {feed.id} is called by its own title again")


@feed_app.command("category")
def feed_category(ident: IdArg,
                  category: Annotated[str | None, typer.Argument(help="The category.")] = None,
                  none: NoneOption = False) -> None:
    """Put a feed in a category (--none: in none)."""
    store = open_desk()
    feed = _feed(store, ident)
    assert feed.id is not None
    new = _value(category, none, "category")
    store.set_feed_category(feed.id, new)
    _say(f"feed {feed.id} is in category {new!r}" if new else
         f"feed {feed.id} is in no category")


@feed_app.command("remove")
def feed_remove(ident: IdArg) -> None:
    """Unsubscribe from a feed. Its articles stay (without a feed)."""
    store = open_desk()
    feed = _feed(store, ident)
    assert feed.id is not None
    count = store.feed_article_counts().get(feed.id, (0, None))[0]
    store.delete_feed(feed.id)
    _say(f"removed feed {feed.id} ({feed.label}); its {count} articles stay")


def export_opml_command(
    file: Annotated[Path | None, typer.Argument(
        metavar="[FILE]", help="Where to write it (default: standard output).")] = None,
) -> None:
    """The subscribed feeds as OPML 2.0, categories as folders."""
    store = open_desk()
    feeds = store.feeds()
    data = export_opml(feeds, f"{str(settings().site_name)}: subscriptions")
    if file is None or str(file) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    folder = file.parent if str(file.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(str(file), f"no folder {str(folder)!r}")
    # written beside it, then moved over it: an interrupted export never leaves half a file
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, file)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise InputError(str(file), exc.strerror or str(exc)) from None
    _say(f"exported {len(feeds)} feeds to {file}")


def register(app: typer.Typer) -> None:
    app.add_typer(feed_app, name="feed")
    app.command("export-opml")(export_opml_command)
