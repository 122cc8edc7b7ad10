"""Sentence splitting: abbreviations, figures, quotes, ellipses; English and Spanish."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.enrich.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kast could win the Dec. 14 runoff. Polls close at 6 p.m. on Sunday.",
            ["Kast could win the Dec. 14 runoff.", "Polls close at 6 p.m. on Sunday."],
        ),
        (
            "Mr. Smith met Dr. Jones in the U.S. Department of State. They talked.",
            ["Mr. Smith met Dr. Jones in the U.S. Department of State.", "They talked."],
        ),
        (
            "Prices rose in the U.S. The Fed said so.",
            ["Prices rose in the U.S.", "The Fed said so."],
        ),
        (
            "Some 330,000 migrants live there. Output grew 3.5 per cent. Sales hit $11.1bn.",
            ["Some 330,000 migrants live there.", "Output grew 3.5 per cent.",
             "Sales hit $11.1bn."],
        ),
        (
            'He said "we will win." Then he left. "Why?" she asked.',
            ['He said "we will win."', "Then he left.", '"Why?" she asked.'],
        ),
        (
            "He paused... Then he spoke. It was… odd, they said.",
            ["He paused...", "Then he spoke.", "It was… odd, they said."],
        ),
        (
            "J. K. Rowling wrote it. It is No. 5 on the list.",
            ["J. K. Rowling wrote it.", "It is No. 5 on the list."],
        ),
        (
            "El Sr. García viajó a EE.UU. el lunes. ¿Qué pasará? ¡Nadie sabe! "
            "Costó 1.200,50 euros.",
            ["El Sr. García viajó a EE.UU. el lunes.", "¿Qué pasará?", "¡Nadie sabe!",
             "Costó 1.200,50 euros."],
        ),
        (
            "La Sra. Pérez llegó a las 9 a.m. y habló con la prensa. Luego se fue.",
            ["La Sra. Pérez llegó a las 9 a.m. y habló con la prensa.", "Luego se fue."],
        ),
        (
            "Border standoff\nA migrant spoke to reporters.\n\nNew paragraph here.",
            ["Border standoff", "A migrant spoke to reporters.", "New paragraph here."],
        ),
        (
            "a lower-case tokenised text . and it goes on . the end .",
            ["a lower-case tokenised text .", "and it goes on .", "the end ."],
        ),
    ],
)
def test_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_wrapped_lines_are_joined() -> None:
    text = "The minister said the border would stay\nopen for families for now."
    assert split_sentences(text) == [
        "The minister said the border would stay open for families for now."
    ]


def test_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc ABC.?!…\"'\n1,;¿¡")), max_size=200))
def test_no_text_lost(text: str) -> None:
    sentences = split_sentences(text)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    assert all(s == s.strip() and s for s in sentences)
