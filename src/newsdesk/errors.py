"""The newsdesk exception tree.

    NewsdeskError                 base of everything we raise on purpose
    ├── ConfigError               a setting has a bad value
    ├── InputError                an input (file, line, URL, feed) cannot be used; names it and why
    │   ├── ParseError            the input is not valid in its format (XML, JSON, HTML)
    │   └── TooLargeError         the input is over the size limit
    ├── FetchError                an HTTP fetch failed (timeout, status, size, redirects, address)
    │   └── BlockedAddressError   the URL resolves to a private/loopback address not allowed
    ├── ExtractionError           no article text could be extracted
    └── StoreError                the database refused an operation
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class for errors newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """A setting has a value that cannot be used."""


class InputError(NewsdeskError):
    """An input cannot be used. `name` is the file, line or URL; the message says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class ParseError(InputError):
    """The input is not valid in its format."""


class TooLargeError(InputError):
    """The input is over the configured size limit."""


class FetchError(NewsdeskError):
    """An HTTP fetch failed."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class BlockedAddressError(FetchError):
    """The URL points at a private, loopback or link-local address and that is not allowed."""


class ExtractionError(NewsdeskError):
    """No usable article text could be extracted."""


class StoreError(NewsdeskError):
    """The database refused an operation."""
