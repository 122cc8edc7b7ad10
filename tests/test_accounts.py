"""accounts.py on a real SQLite store: password hashes, tokens, sessions, CSRF, rate limits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk import accounts
from newsdesk.config import Config
from newsdesk.store import SQLiteStore, open_store

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_password_hash_is_scrypt_salted_and_verified() -> None:
    first, second = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert first != second  # salted
    kind, n, r, p, salt, digest = first.split("$")
    assert (kind, int(n), int(r), int(p)) == ("scrypt", accounts.SCRYPT_N, 8, 1)
    assert accounts.verify_password("correct horse", first)
    assert not accounts.verify_password("correct horsE", first)
    for broken in ("", "plain", "scrypt$x$y$z$salt$hash", "md5$1$2$3$4$5", None):
        assert not accounts.verify_password("correct horse", broken)


def test_password_rules() -> None:
    assert accounts.password_problem("") == "the password is empty"
    assert "too short" in (accounts.password_problem("short") or "")
    assert accounts.password_problem("long enough") is None
    assert accounts.name_problem("ana.ruiz") is None
    assert accounts.name_problem("ana ruiz") is not None
    assert accounts.name_problem("") is not None


def test_passwords_and_tokens_never_stored_in_clear(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    store = SQLiteStore(db)
    user = accounts.create_user(store, "ana", "correct horse battery")
    accounts.set_api_password(store, user, "app password 1")
    token = accounts.new_api_token(store, user)
    store.close()
    raw = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("n.db-*"))
    for secret in (b"correct horse battery", b"app password 1", token.encode()):
        assert secret not in raw
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT password_hash, api_password_hash, fever_key "
                           "FROM users").fetchone()
        stored_tokens = [r[0] for r in conn.execute("SELECT token_hash FROM api_tokens")]
    assert row[0].startswith("scrypt$") and row[1].startswith("scrypt$")
    assert row[2] == accounts.fever_key("ana", "app password 1")
    assert stored_tokens == [accounts.token_hash(token)]


def test_tokens_find_their_user(store: SQLiteStore) -> None:
    ana = accounts.create_user(store, "ana", "correct horse")
    token = accounts.new_api_token(store, ana)
    found = accounts.user_for_token(store, token)
    assert found is not None and found.name == "ana"
    assert accounts.user_for_token(store, token + "x") is None
    assert accounts.user_for_token(store, "") is None


def test_duplicate_and_bad_users_refused(store: SQLiteStore) -> None:
    accounts.create_user(store, "ana", "correct horse")
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create_user(store, "ana", "another password")
    with pytest.raises(accounts.AccountError, match="too short"):
        accounts.create_user(store, "bo", "short")
    with pytest.raises(accounts.AccountError, match="letters, digits"):
        accounts.create_user(store, "bo bo", "long enough")


def test_session_cookies_signed_expiring_and_bound_to_the_epoch(store: SQLiteStore) -> None:
    ana = accounts.create_user(store, "ana", "correct horse")
    key = b"k" * 32
    cookie = accounts.make_session(key, ana, NOW, days=1)
    session = accounts.read_session(key, cookie, NOW + timedelta(hours=1))
    assert session is not None and (session.user_id, session.epoch) == (ana.id, ana.session_epoch)
    assert accounts.read_session(b"other key", cookie, NOW) is None
    assert accounts.read_session(key, cookie, NOW + timedelta(days=2)) is None  # expired
    uid, epoch, expires, sig = cookie.split(".")
    forged = f"{uid}.{epoch}.{int(expires) + 86400}.{sig}"  # a longer life, same signature
    assert accounts.read_session(key, forged, NOW) is None
    assert accounts.read_session(key, "garbage", NOW) is None


def test_csrf_tokens_are_bound(store: SQLiteStore) -> None:
    key = b"k" * 32
    token = accounts.csrf_token(key, "session-a")
    assert accounts.csrf_ok(key, "session-a", token)
    assert not accounts.csrf_ok(key, "session-b", token)
    assert not accounts.csrf_ok(b"other", "session-a", token)
    assert not accounts.csrf_ok(key, "", accounts.csrf_token(key, ""))
    assert not accounts.csrf_ok(key, "session-a", "")


def test_login_rate_limited_per_account_and_address(tmp_path: Path) -> None:
    url = str(tmp_path / "n.db")
    store, other = open_store(url), open_store(url)  # two server processes
    accounts.create_user(store, "ana", "correct horse")
    for i in range(accounts.LOCK_FAILURES):
        target = store if i % 2 else other
        assert accounts.authenticate(target, "ana", "wrong", "10.0.0.1", NOW) is None
    with pytest.raises(accounts.LoginLocked) as locked:
        accounts.authenticate(store, "ana", "correct horse", "10.0.0.9", NOW)
    assert "too many failed logins" in str(locked.value) and locked.value.retry_after > 0
    later = NOW + accounts.LOCK_WINDOW + timedelta(seconds=1)
    user = accounts.authenticate(other, "ana", "correct horse", "10.0.0.9", later)
    assert user is not None and user.name == "ana"
    # one address guessing many names
    for n in range(accounts.ADDRESS_FAILURES):
        accounts.authenticate(store, f"name{n}", "wrong", "10.6.6.6", later)
    with pytest.raises(accounts.LoginLocked):
        accounts.authenticate(store, "ana", "correct horse", "10.6.6.6", later)
    store.close()
    other.close()


def test_secret_key_setting_or_shared_in_the_database(tmp_path: Path) -> None:
    url = str(tmp_path / "n.db")
    one, two = open_store(url), open_store(url)
    made = accounts.secret_key(Config(db=url), one)
    assert len(made) >= 32 and accounts.secret_key(Config(db=url), two) == made
    assert accounts.secret_key(Config(db=url, secret_key="from settings"), one) == b"from settings"
    one.close()
    two.close()
