"""Commands for accounts and reading state: `newsdesk user ...`, `mark-read`, `unread`, `saved`.

    user add NAME [--admin]    password from standard input when piped, else a hidden prompt
    user list | delete NAME | password NAME | api-password NAME | token NAME | logout NAME
    mark-read ID... --user NAME [--unread]     mark-all-read --user NAME [--section S]
    save ID... --user NAME [--remove]          unread --user NAME [--section S] [--limit N]
    saved --user NAME

Registered on the main app by cli.py; errors leave as NewsdeskError (one line, exit 1).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import accounts
from .cli_base import open_desk
from .errors import NewsdeskError
from .export import resolve_id
from .store import Store
from .store.accounts import User

user_app = typer.Typer(no_args_is_help=True, help="Accounts: add, list, delete, passwords, "
                                                  "API tokens.")


class NotFound(NewsdeskError):
    """No such user or article (exit 1)."""


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _user(store: Store, name: str) -> User:
    user = store.user_by_name(name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def _read_password(label: str, confirm: bool = True) -> str:
    """A password from standard input when it is not a terminal (its first line), else a
    hidden prompt, asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt(label, hide_input=True, default="", show_default=False)
    if confirm and first:
        again = typer.prompt(f"{label} (again)", hide_input=True, default="",
                             show_default=False)
        if again != first:
            raise accounts.AccountError("the two passwords differ")
    return str(first)


@user_app.command("add")
def user_add(name: str,
             admin: Annotated[bool, typer.Option("--admin", help="May change sources and "
                                                 "settings.")] = False) -> None:
    """Add a user; the password comes from standard input or a prompt."""
    problem = accounts.name_problem(name)
    if problem:
        raise accounts.AccountError(f"{name!r}: {problem}")
    store = open_desk()
    if store.user_by_name(name) is not None:
        raise accounts.AccountError(f"user {name!r} already exists")
    user = accounts.create_user(store, name, _read_password("Password"), is_admin=admin)
    _say(f"added {'admin' if user.is_admin else 'user'} {user.name}")


@user_app.command("list")
def user_list() -> None:
    """Users, one a line: name, role, created (UTC), API password set or not."""
    store = open_desk()
    listed = store.users()
    if not listed:
        _say("no users: add one with `newsdesk user add NAME`")
    for user in listed:
        sys.stdout.write("\t".join([
            user.name, "admin" if user.is_admin else "reader",
            user.created.strftime("%Y-%m-%dT%H:%MZ"),
            "api-password" if user.api_password_hash else "-"]) + "\n")


@user_app.command("delete")
def user_delete(name: str) -> None:
    """Delete a user with their tokens and reading state."""
    store = open_desk()
    store.delete_user(_user(store, name).id)
    _say(f"deleted user {name}")


@user_app.command("password")
def user_password(name: str) -> None:
    """Set a new password (logs the user out everywhere)."""
    store = open_desk()
    user = _user(store, name)
    accounts.change_password(store, user, _read_password("New password"))
    _say(f"password changed for {name}")


@user_app.command("api-password")
def user_api_password(name: str) -> None:
    """Set the password apps use (Google Reader and Fever APIs), from standard input."""
    store = open_desk()
    user = _user(store, name)
    accounts.set_api_password(store, user, _read_password("API password"))
    _say(f"API password set for {name}")


@user_app.command("token")
def user_token(name: str) -> None:
    """Make a new API token (for `Authorization: Bearer TOKEN`); it is shown only now."""
    store = open_desk()
    sys.stdout.write(accounts.new_api_token(store, _user(store, name)) + "\n")


@user_app.command("logout")
def user_logout(name: str) -> None:
    """End every session of a user (their login cookies stop working)."""
    store = open_desk()
    store.end_sessions(_user(store, name).id)
    _say(f"logged out {name} everywhere")


UserOption = Annotated[str, typer.Option("--user", "-u", help="The reader's user name.")]


def _ids(store: Store, idents: list[str]) -> list[int]:
    ids = []
    for ident in idents:
        found = resolve_id(store, ident)
        if found is None:
            raise NotFound(f"no article with id {ident!r}")
        ids.append(found)
    return ids


def mark_read(idents: Annotated[list[str], typer.Argument(metavar="ID...")],
              user: UserOption,
              unread: Annotated[bool, typer.Option("--unread", help="Mark unread "
                                                   "instead.")] = False) -> None:
    """Mark articles read (or unread) for a user."""
    store = open_desk()
    reader = _user(store, user)
    count = store.mark_read(reader.id, _ids(store, idents), read=not unread)
    _say(f"marked {count} {'unread' if unread else 'read'} for {user}")


def mark_all_read(user: UserOption,
                  section: Annotated[str | None, typer.Option(help="Only this section.")]
                  = None) -> None:
    """Mark everything (or a section) read for a user."""
    store = open_desk()
    store.mark_all_read(_user(store, user).id, section=section)
    _say(f"marked {'section ' + section if section else 'everything'} read for {user}")


def save(idents: Annotated[list[str], typer.Argument(metavar="ID...")], user: UserOption,
         remove: Annotated[bool, typer.Option("--remove", help="Unsave instead.")]
         = False) -> None:
    """Save (star) articles for a user, or unsave them."""
    store = open_desk()
    count = store.set_saved(_user(store, user).id, _ids(store, idents), saved=not remove)
    _say(f"{'unsaved' if remove else 'saved'} {count} for {user}")


def _list(store: Store, reader: User, view: str, section: str | None, limit: int) -> None:
    for art, _ in store.reading_list(reader.id, view="unread" if view == "unread" else "saved",
                                     section=section, limit=limit):
        sys.stdout.write(f"{art.id}\t{art.section or '-'}\t{' '.join(art.title.split())}\n")


def unread(user: UserOption,
           section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
           limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50) -> None:
    """A user's unread articles, latest first (id, section, title), and the counts."""
    store = open_desk()
    reader = _user(store, user)
    _list(store, reader, "unread", section, limit)
    counts = store.unread_counts(reader.id)
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.by_section.items()))
    _say(f"{counts.total} unread" + (f" ({parts})" if parts else ""))


def saved(user: UserOption,
          limit: Annotated[int, typer.Option(min=1, max=100_000)] = 50) -> None:
    """A user's saved articles, latest saved first (id, section, title)."""
    store = open_desk()
    _list(store, _user(store, user), "saved", None, limit)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("mark-read")(mark_read)
    app.command("mark-all-read")(mark_all_read)
    app.command("save")(save)
    app.command("unread")(unread)
    app.command("saved")(saved)
