"""Accounts: passwords, API tokens, session cookies, CSRF tokens and login rate limiting.

Passwords are hashed with scrypt (hashlib, memory-hard), its parameters and salt stored with
the hash ("scrypt$N$r$p$salt$hash"), so they can be raised later without breaking old hashes;
verifying compares in constant time. API tokens are random (secrets) and stored only as their
SHA-256: a stolen database holds no usable token. The Fever API key is md5("name:api
password"), what that protocol sends, kept when the API password is set.

A session cookie is "user id.epoch.expiry.signature", the signature an HMAC-SHA256 over the
rest with the secret key: the `secret_key` setting, else one generated once and stored in the
database so every server process signs alike. The epoch is the user's session epoch: changing
the password or logging out everywhere moves it, and every cookie signed before is refused.

A CSRF token is an HMAC of the session cookie (signed-in forms) or of a random nonce kept in
a cookie of its own (the login form, before there is a session): a form posted from another
site has neither the token nor a way to compute it.

Logins are rate limited through the database (every server process sees every failure):
LOCK_FAILURES failed logins for one account, or ADDRESS_FAILURES from one address, within
LOCK_WINDOW lock further attempts until the failures age out of the window.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import Config
from .errors import NewsdeskError
from .store import Store
from .store.accounts import DuplicateUser, User

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB and ~50 ms per hash
SCRYPT_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
LOCK_FAILURES = 5
ADDRESS_FAILURES = 20
LOCK_WINDOW = timedelta(minutes=15)
SECRET_NAME = "session-signing-key"


class AccountError(NewsdeskError):
    """A name or password that cannot be used, or no such user."""


class LoginLocked(NewsdeskError):
    """Too many failed logins: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"too many failed logins: try again in {minutes} minutes")
        self.retry_after = retry_after


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- passwords ---------------------------------------------------------------------------------

def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, or None."""
    if not password.strip():
        return "the password is empty"
    if len(password) < MIN_PASSWORD:
        return f"the password is too short (at least {MIN_PASSWORD} characters)"
    if len(password) > MAX_PASSWORD:
        return f"the password is too long (at most {MAX_PASSWORD} characters)"
    return None


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a user name, or None."""
    if not name or len(name) > 64:
        return "a user name has 1 to 64 characters"
    if not all(c.isalnum() or c in "._-@" for c in name):
        return "a user name has only letters, digits and . _ - @"
    return None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, maxmem=SCRYPT_MAXMEM, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored` (a hash_password result); False for anything else."""
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            return False
        expected = _unb64(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=SCRYPT_MAXMEM, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


# -- users -------------------------------------------------------------------------------------

def create_user(store: Store, name: str, password: str, is_admin: bool = False) -> User:
    problem = name_problem(name) or password_problem(password)
    if problem:
        raise AccountError(f"{name!r}: {problem}" if name_problem(name) else problem)
    try:
        return store.add_user(name, hash_password(password), is_admin=is_admin)
    except DuplicateUser as exc:
        raise AccountError(str(exc)) from exc


def find_user(store: Store, name: str) -> User:
    user = store.user_by_name(name)
    if user is None:
        raise AccountError(f"no user {name!r}")
    return user


def change_password(store: Store, user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    store.set_password(user.id, hash_password(password))


def fever_key(name: str, api_password: str) -> str:
    return hashlib.md5(f"{name}:{api_password}".encode(), usedforsecurity=False).hexdigest()


def set_api_password(store: Store, user: User, api_password: str) -> None:
    problem = password_problem(api_password)
    if problem:
        raise AccountError(problem.replace("password", "API password", 1))
    store.set_api_password(user.id, hash_password(api_password),
                           fever_key(user.name, api_password))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_token(store: Store, user: User) -> str:
    """A new API token for `user`: returned once, stored only as its hash."""
    token = "nd_" + secrets.token_urlsafe(32)
    store.add_api_token(user.id, token_hash(token))
    return token


def user_for_token(store: Store, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    return store.user_by_token(token_hash(token))


# -- logging in --------------------------------------------------------------------------------

def authenticate(store: Store, name: str, password: str, address: str,
                 now: datetime, api: bool = False) -> User | None:
    """The user when the password is right; None (and the failure recorded) when not.
    Raises LoginLocked while the account or the address has failed too often. With `api`,
    the password checked is the user's API password (the apps' logins), under the same
    limits."""
    name = name.strip()[:64]
    by_account, by_address = store.login_failures(name, address, now - LOCK_WINDOW)
    if by_account >= LOCK_FAILURES or by_address >= ADDRESS_FAILURES:
        raise LoginLocked(int(LOCK_WINDOW.total_seconds()))
    user = store.user_by_name(name) if name else None
    # the same scrypt work whether or not the user exists: timing tells no names
    stored = (user.api_password_hash if api else user.password_hash) if user else None
    ok = verify_password(password[:MAX_PASSWORD], stored or _dummy_hash()) and user is not None
    if not ok or user is None:
        store.record_login_failure(name, address, now)
        return None
    store.clear_login_failures(name)
    return user


# -- signing: sessions and CSRF ----------------------------------------------------------------

def secret_key(config: Config, store: Store) -> bytes:
    """The `secret_key` setting, else the database's shared one (made on first use)."""
    configured = str(config.secret_key).strip()
    if configured:
        return configured.encode("utf-8")
    return store.shared_secret(SECRET_NAME, secrets.token_urlsafe(48)).encode("utf-8")


def _sign(key: bytes, purpose: str, text: str) -> str:
    return _b64(hmac.new(key, f"{purpose}|{text}".encode(), hashlib.sha256).digest())


@dataclass(frozen=True)
class Session:
    user_id: int
    epoch: int
    expires: int


def make_session(key: bytes, user: User, now: datetime, days: float) -> str:
    expires = int((now + timedelta(days=days)).timestamp())
    body = f"{user.id}.{user.session_epoch}.{expires}"
    return f"{body}.{_sign(key, 'session', body)}"


def read_session(key: bytes, cookie: str, now: datetime) -> Session | None:
    """The session in a cookie signed with `key` and not expired, else None. (The caller
    checks the epoch against the user's.)"""
    parts = cookie.split(".")
    if len(parts) != 4 or len(cookie) > 200:
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(key, "session", body)):
        return None
    try:
        user_id, epoch, expires = (int(p) for p in parts[:3])
    except ValueError:
        return None
    if expires <= now.timestamp():
        return None
    return Session(user_id, epoch, expires)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(key: bytes, binding: str) -> str:
    """The token a form carries, bound to the session cookie or the anonymous nonce."""
    return _sign(key, "csrf", binding)


def csrf_ok(key: bytes, binding: str, token: str) -> bool:
    return bool(binding) and bool(token) and hmac.compare_digest(token, csrf_token(key, binding))
