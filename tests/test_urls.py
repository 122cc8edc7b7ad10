"""canonical_url and is_http_url."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.ingest.urls import canonical_url, is_http_url, is_tracking_param


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?utm_source=x&utm_medium=rss", "https://example.com/a"),
        ("https://example.com/a?id=3&utm_source=x&page=2", "https://example.com/a?id=3&page=2"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://example.com/a"),
        ("https://example.com/a?ref=home&cmpid=x&igshid=y&q=z", "https://example.com/a?q=z"),
        ("https://example.com/a?UTM_Campaign=x&q=%20a+b", "https://example.com/a?q=%20a+b"),
        ("https://example.com/a?q=1&&utm_term=x", "https://example.com/a?q=1"),
        ("https://example.com/a;params?x=1", "https://example.com/a;params?x=1"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("https://user:pw@Example.com/a", "https://user:pw@example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("ftp://example.com/a", "ftp://example.com/a"),
        ("not a url", "not a url"),
        ("/relative/path?utm_source=x", "/relative/path?utm_source=x"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_is_idempotent_on_examples() -> None:
    once = canonical_url("HTTPS://News.Example:443/x/?a=1&utm_source=t#frag")
    assert canonical_url(once) == once == "https://news.example/x/?a=1"


@given(st.text(max_size=200))
def test_canonical_url_never_raises(text: str) -> None:
    result = canonical_url(text)
    assert isinstance(result, str)
    if is_http_url(result):
        assert canonical_url(result) == result


@pytest.mark.parametrize(
    "value, expected",
    [
        ("http://example.com", True),
        ("https://example.com/a?b=c", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("ftp://example.com", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("example.com", False),
        ("http://exa mple.com", False),
        ("http://example.com:99999/", False),
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_is_http_url(value: object, expected: bool) -> None:
    assert is_http_url(value) is expected


def test_tracking_params() -> None:
    assert is_tracking_param("utm_content") and is_tracking_param("FBCLID")
    assert not is_tracking_param("id") and not is_tracking_param("page")
