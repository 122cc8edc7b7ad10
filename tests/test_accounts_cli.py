"""`newsdesk user ...` and the reading commands, run as real processes on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from newsdesk import accounts
from newsdesk.store import open_store
from webtools import sample_store


def run(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                          input=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NEWSDESK_EMBEDDER": "hash"})


def test_user_commands(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    added = run(db, "user", "add", "ana", "--admin", stdin="correct horse\n")
    assert added.returncode == 0 and added.stderr.strip() == "added admin ana"
    assert run(db, "user", "add", "bo", stdin="another password\n").returncode == 0
    listed = run(db, "user", "list")
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [(f[0], f[1], f[3]) for f in lines] == [("ana", "admin", "-"), ("bo", "reader", "-")]
    for args, stdin, message in (
            (("user", "add", "cy"), "short\n", "the password is too short"),
            (("user", "add", "cy"), "\n", "the password is empty"),
            (("user", "add", "ana"), "correct horse\n", "user 'ana' already exists"),
            (("user", "add", "c y"), "correct horse\n", "letters, digits"),
            (("user", "password", "zed"), "correct horse\n", "no user 'zed'"),
            (("user", "delete", "zed"), "", "no user 'zed'"),
            (("user", "token", "zed"), "", "no user 'zed'")):
        out = run(db, *args, stdin=stdin)
        assert out.returncode == 1, args
        assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    assert run(db, "user", "password", "bo", stdin="a new password\n").returncode == 0
    assert run(db, "user", "api-password", "bo", stdin="app password 1\n").returncode == 0
    token = run(db, "user", "token", "bo").stdout.strip()
    assert token.startswith("nd_") and len(token) > 30
    store = open_store(db)
    bo = store.user_by_name("bo")
    assert bo is not None and bo.session_epoch == 2  # the password change ended sessions
    assert accounts.verify_password("a new password", bo.password_hash)
    assert bo.fever_key == accounts.fever_key("bo", "app password 1")
    found = accounts.user_for_token(store, token)
    assert found is not None and found.name == "bo"
    store.close()
    assert "api-password" in run(db, "user", "list").stdout
    assert run(db, "user", "logout", "bo").returncode == 0
    assert run(db, "user", "delete", "bo").returncode == 0
    assert [line.split("\t")[0] for line in run(db, "user", "list").stdout.splitlines()] == ["ana"]
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    for secret in ("correct horse", "another password", "a new password", "app password 1"):
        assert secret not in dump


def test_reading_commands(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    store, ids = sample_store(db)
    store.close()
    assert run(db, "user", "add", "ana", stdin="correct horse\n").returncode == 0
    first = run(db, "unread", "--user", "ana")
    assert first.returncode == 0 and first.stderr.startswith("7 unread")
    assert len(first.stdout.splitlines()) == 7
    marked = run(db, "mark-read", str(ids["chips"]), str(ids["sport"]), "--user", "ana")
    assert marked.returncode == 0 and marked.stderr.strip() == "marked 2 read for ana"
    after = run(db, "unread", "--user", "ana")
    assert after.stderr.startswith("5 unread")
    assert str(ids["chips"]) not in {line.split("\t")[0] for line in after.stdout.splitlines()}
    assert run(db, "mark-read", str(ids["chips"]), "--user", "ana", "--unread").returncode == 0
    assert run(db, "save", str(ids["science"]), "--user", "ana").returncode == 0
    assert run(db, "saved", "--user", "ana").stdout.split("\t")[0] == str(ids["science"])
    assert run(db, "mark-all-read", "--user", "ana", "--section", "technology").returncode == 0
    assert run(db, "unread", "--user", "ana").stderr.startswith("5 unread")
    assert run(db, "mark-all-read", "--user", "ana").returncode == 0
    assert run(db, "unread", "--user", "ana").stderr.strip() == "0 unread"
    missing = run(db, "mark-read", "99999", "--user", "ana")
    assert missing.returncode == 1 and "no article with id '99999'" in missing.stderr
    nobody = run(db, "unread", "--user", "zed")
    assert nobody.returncode == 1 and nobody.stderr.strip() == "newsdesk unread: no user 'zed'"
