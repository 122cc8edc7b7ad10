"""Tests for newsdesk.extract.sanitize: the nh3 allow-list and HTML <-> blocks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.extract.sanitize import (
    blocks_to_html,
    blocks_to_text,
    html_to_blocks,
    sanitize_html,
)


@pytest.mark.parametrize("dirty, gone", [
    ("<p>hi<script>alert(1)</script></p>", "alert"),
    ("<p>hi<script src='https://evil.example/x.js'></script></p>", "evil"),
    ('<p onclick="steal()">hi</p>', "onclick"),
    ('<img src="https://i.example/a.png" onerror="steal()">', "onerror"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<p style="background:url(javascript:x)">hi</p>', "style"),
    ("<style>p { color: red }</style><p>hi</p>", "color"),
    ('<iframe src="https://evil.example/"></iframe><p>hi</p>', "iframe"),
    ('<iframe src="https://evil.example/">fallback text</iframe><p>hi</p>', "fallback"),
    ('<object data="x.swf"></object><embed src="x.swf"><p>hi</p>', "swf"),
    ('<form action="/x"><input name="q"></form><p>hi</p>', "input"),
    ('<svg><script>alert(1)</script></svg><p>hi</p>', "alert"),
    ('<img src="data:image/png;base64,AAAA">', "data:"),
    ('<img src="/relative.png">', "relative"),
    ("<p>hi<!-- a comment --></p>", "comment"),
    ('<div class="x" id="y">hi</div>', "class"),
    ("<meta http-equiv='refresh' content='0;url=https://evil.example'><p>hi</p>", "refresh"),
])
def test_dangerous_markup_removed(dirty: str, gone: str) -> None:
    clean = sanitize_html(dirty)
    assert gone.lower() not in clean.lower()


def test_allowed_markup_kept() -> None:
    dirty = (
        "<h2>Head</h2><h3>Sub</h3><h4>Subsub</h4><p>Text <em>em</em> <strong>strong</strong> "
        "<b>b</b> <i>i</i><br>line</p><ul><li>one</li></ul><ol><li>two</li></ol>"
        "<blockquote>quote</blockquote><figure><img src=\"https://i.example/a.png\" alt=\"A\">"
        "<figcaption>cap</figcaption></figure><table><thead><tr><th>h</th></tr></thead>"
        "<tbody><tr><td colspan=\"2\">c</td></tr></tbody></table>"
        "<p><a href=\"https://example.org/x\">web</a> <a href=\"mailto:a@example.org\">mail</a>"
        "</p>"
    )
    clean = sanitize_html(dirty)
    for tag in ("<h2>", "<h3>", "<h4>", "<p>", "<em>", "<strong>", "<b>", "<i>", "<br>", "<ul>",
                "<ol>", "<li>", "<blockquote>", "<figure>", "<figcaption>", "<table>", "<thead>",
                "<tbody>", "<tr>", "<th>", '<td colspan="2">'):
        assert tag in clean, tag
    assert '<img src="https://i.example/a.png" alt="A">' in clean
    assert '<a href="https://example.org/x" rel="nofollow noopener">web</a>' in clean
    assert 'href="mailto:a@example.org"' in clean


def test_headings_mapped_into_h2_h4() -> None:
    assert sanitize_html("<h1>Top</h1><h6>Low</h6>") == "<h2>Top</h2><h4>Low</h4>"


def test_relative_links_resolved_with_base() -> None:
    clean = sanitize_html('<a href="/a/b">x</a><img src="pic.png">', "https://site.example/n/")
    assert 'href="https://site.example/a/b"' in clean
    assert 'src="https://site.example/n/pic.png"' in clean
    assert 'href' not in sanitize_html('<a href="/a/b">x</a>')


def test_empty_input() -> None:
    assert sanitize_html("") == ""
    assert sanitize_html("   ") == ""


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_sanitize_never_lets_script_through(text: str) -> None:
    clean = sanitize_html(text + "<script>alert(1)</script>" + text)
    assert "<script" not in clean.lower()


# ------------------------------------------------------------------ blocks

def test_html_to_blocks_headings_paragraphs_lists_tables() -> None:
    blocks = html_to_blocks(
        "<p>One<br>two<br><br>three</p>loose text<ul><li>a</li><li>b</li></ul>"
        "<h3>Head</h3><table><tr><td>1</td><td>2</td></tr></table>"
        "<script>var x;</script><nav><a href='/'>Home</a></nav>"
    )
    assert blocks == [("p", "One\ntwo"), ("p", "three"), ("p", "loose text"), ("ul", "a"),
                      ("ul", "b"), ("h", "Head"), ("p", "1 | 2")]


def test_lists_stay_lists() -> None:
    blocks = html_to_blocks("<p>Three steps:</p><ol><li>Queue</li><li>Pay</li></ol>"
                            "<ul><li>Bring water</li></ul><p>After.</p>")
    assert blocks == [("p", "Three steps:"), ("ol", "Queue"), ("ol", "Pay"),
                      ("ul", "Bring water"), ("p", "After.")]
    html = blocks_to_html(blocks)
    assert "<ol>\n<li>Queue</li>\n<li>Pay</li>\n</ol>\n<ul>\n<li>Bring water</li>\n</ul>" in html
    text, _ = blocks_to_text(blocks)
    assert text == "Three steps:\n\nQueue\n\nPay\n\nBring water\n\nAfter."


def test_html_to_blocks_plain_text_and_documents() -> None:
    assert html_to_blocks("first\n\nsecond &amp; third") == [("p", "first"),
                                                              ("p", "second & third")]
    assert html_to_blocks("<html><head><title>t</title></head><body><p>doc</p></body></html>") \
        == [("p", "doc")]
    assert html_to_blocks("") == []


def test_html_to_blocks_normalises_text() -> None:
    assert html_to_blocks("<p>Mit\u00adtel\u00a0alter   x</p>") == [("p", "Mittel alter x")]


def test_blocks_to_text_and_html() -> None:
    blocks = [("h", "Tom & Jerry"), ("p", "a <b>\nc"), ("p", " ")]
    text, headings = blocks_to_text(blocks)
    assert text == "Tom & Jerry\n\na <b>\nc"
    assert headings == ["Tom & Jerry"]
    assert blocks_to_html(blocks) == "<h2>Tom &amp; Jerry</h2>\n<p>a &lt;b&gt;<br>c</p>"
    assert sanitize_html(blocks_to_html(blocks)) == blocks_to_html(blocks)
