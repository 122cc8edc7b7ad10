"""Lead summary: 2–3 body sentences from the lead, skipping headings, bylines and captions."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsdesk.enrich.sentences import split_sentences
from newsdesk.enrich.summary import MAX_CHARS, SOFT_CAP, is_prose_paragraph, lead_summary
from newsdesk.model import Article

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"


def seed_article() -> Article:
    """The seed page text as the extract step would give it (site chrome and fact box removed)."""
    path = SEED_DIR / "000_2bfdbc58c4ed5f0f.txt"
    if not path.exists():
        pytest.skip("shared seed not present")
    paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    title = paras[1]
    body = [
        p for p in paras[2:]
        if p != title and not p.startswith("Key facts") and p != "Similar Articles"
    ]
    heads = [p for p in body if len(p.split()) <= 5 and p[-1] not in ".!?"]
    return Article(title=title, text="\n\n".join(body), headings=heads, lang="en")


class _Body(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag in {"p", "h2"}:
            self.blocks.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.blocks and self.stack and self.stack[-1] in {"p", "h2"} and "aside" not in \
                self.stack and "footer" not in self.stack:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)


def seed_html_article() -> Article:
    path = SEED_DIR / "chile-peru-border.html"
    if not path.exists():
        pytest.skip("shared seed not present")
    parser = _Body()
    parser.feed(path.read_text(encoding="utf-8"))
    blocks = [(t, x.strip()) for t, x in parser.blocks if x.strip()]
    return Article(
        title="Migrants Stranded at Chile–Peru Border Amid Fears of Forced Expulsions",
        text="\n\n".join(x for _, x in blocks),
        headings=[x for t, x in blocks if t == "h2"],
        lang="en",
    )


EN_ARTICLE = Article(
    title="Central bank raises rates again",
    text="\n\n".join([
        "By Jane Doe, Economics correspondent",
        "Updated 14 March 2025",
        "LONDON (Reuters) - The Bank of England raised interest rates to 5.25% on Thursday, "
        "its 14th increase in a row, as inflation stayed well above its target.",
        "Governor Andrew Bailey said the decision was difficult. Seven of the nine members of "
        "the Monetary Policy Committee voted for the rise.",
        "What happens next",
        "Analysts expect one more increase before the summer. Mortgage costs for about "
        "1.2 million households will rise this year.",
        "A trader works on the floor of the exchange (Photo: Getty Images)",
    ]),
    headings=["What happens next"],
    lang="en",
)

ES_ARTICLE = Article(
    title="Chile elige presidente",
    text="\n\n".join([
        "Por Ana Pérez",
        "Los chilenos votan el 14 de diciembre en una segunda vuelta entre José Antonio Kast y "
        "Jeannette Jara, tras una campaña centrada en la seguridad y la migración.",
        "El ministro del Interior, Luis Cordero, dijo que el proceso será normal. Unos 15,6 "
        "millones de personas están habilitadas para votar.",
        "El nuevo presidente asumirá el 11 de marzo de 2026.",
    ]),
    lang="es",
)


def test_seed_summary_starts_from_lead() -> None:
    art = seed_article()
    summary = lead_summary(art)
    sentences = split_sentences(summary)
    assert 2 <= len(sentences) <= 3
    first_body = split_sentences(art.paragraphs()[0])[0]
    assert summary.startswith(first_body)
    assert len(summary) <= SOFT_CAP
    assert not any(h in summary for h in art.headings)


def test_seed_html_summary_starts_from_lead() -> None:
    art = seed_html_article()
    summary = lead_summary(art)
    assert summary.startswith("Dozens of migrants who say they are leaving Chile")
    assert 2 <= len(split_sentences(summary)) <= 3
    assert "Border standoff" not in summary


def test_skips_byline_dateline_heading_and_caption() -> None:
    summary = lead_summary(EN_ARTICLE)
    assert summary.startswith("The Bank of England raised interest rates to 5.25%")
    assert "By Jane Doe" not in summary and "Updated" not in summary
    assert "Reuters" not in summary
    assert "What happens next" not in summary
    assert "Getty" not in summary
    assert 2 <= len(split_sentences(summary)) <= 3
    assert len(summary) <= MAX_CHARS


def test_spanish() -> None:
    summary = lead_summary(ES_ARTICLE)
    assert summary.startswith("Los chilenos votan el 14 de diciembre")
    assert "Por Ana Pérez" not in summary
    assert 2 <= len(split_sentences(summary, "es")) <= 3


def test_max_sentences_and_cap() -> None:
    long = Article(text=" ".join(f"Sentence number {i} has exactly seven words." for i in range(9)))
    assert len(split_sentences(lead_summary(long, max_sentences=2))) == 2
    huge = Article(text="word " * 400 + "end.")
    out = lead_summary(huge)
    assert len(out) <= 600 and out.endswith("…")


def test_empty_and_description_fallback() -> None:
    assert lead_summary(Article()) == ""
    art = Article(text="Short heading", description="The standfirst says what happened here.")
    assert lead_summary(art) == "The standfirst says what happened here."


@pytest.mark.parametrize(
    ("paragraph", "prose"),
    [
        ("By John Smith", False),
        ("Photo: Reuters", False),
        ("Key facts: a; b; c", False),
        ("Similar Articles", False),
        ("Political context", False),
        ("The minister said the vote would go ahead on Sunday as planned.", True),
    ],
)
def test_is_prose_paragraph(paragraph: str, prose: bool) -> None:
    assert is_prose_paragraph(paragraph) is prose


def test_publisher_summary_used_when_it_is_about_the_article() -> None:
    from newsdesk.enrich.summary import publisher_summary

    body = ("Dock workers at Port Verde voted on Monday to accept a new contract. The vote ended "
            "a strike that had idled 31 cranes for three weeks.\n\nThe union chair said night "
            "shifts will be paid more and that ships waiting offshore would dock by Friday.")
    good = ("Port Verde's dock workers accepted a new contract on Monday, ending a three-week "
            "strike. Ships waiting offshore should dock by Friday, the union chair said.")
    article = Article(title="Strike ends", text=body, description=good, lang="en")
    assert publisher_summary(article) == good
    blurb = ("Read the latest breaking news, opinion and analysis from around the globe. "
             "Subscribe today for unlimited access to award-winning journalism.")
    assert publisher_summary(Article(title="x", text=body, description=blurb)) == ""
    one = "Dock workers at Port Verde accepted a new contract, ending a three-week strike."
    assert publisher_summary(Article(title="x", text=body, description=one)) == ""
    lead = body.split("\n\n")[0]
    assert publisher_summary(Article(title="x", text=body, description=lead)) == ""
