"""Entities by rules (spaCy path is optional): figures, dates, names typed by cues, de-dup."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.enrich.entities import (
    extract_entities,
    extract_entities_rules,
    extract_figures,
    normalise_key,
)
from newsdesk.model import ENTITY_TYPES, Entity

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_2bfdbc58c4ed5f0f.txt"


def seed_body() -> str:
    if not SEED.exists():
        pytest.skip("shared seed not present")
    paras = [p.strip() for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return "\n\n".join(
        p for p in paras[3:] if not p.startswith("Key facts") and p != "Similar Articles"
    )


def as_pairs(entities: list[Entity]) -> list[tuple[str, str]]:
    return [(e.text, e.type) for e in entities]


def find(entities: list[Entity], text: str) -> Entity | None:
    return next((e for e in entities if e.text == text), None)


EN = (
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) on Monday. "
    "President Joe Biden met Prime Minister Keir Starmer in Washington on March 3, 2025. "
    "Biden said about 1.2 million jobs were at stake. The Bank of England kept rates at 5.25 "
    "per cent. A 43-year-old man was arrested in London.\n\n"
    "However, analysts at Goldman Sachs said growth would slow in 2026."
)
ES = (
    "El presidente Gabriel Boric viajó el lunes a EE.UU. para reunirse con empresarios en "
    "Nueva York. El Ministerio del Interior informó que 3 millones de dólares fueron "
    "destinados a la frontera. Según la Universidad de Chile, la pobreza bajó un 5 por ciento. "
    "La segunda vuelta será el 14 de diciembre de 2025 en Santiago. Boric dijo que votará "
    "temprano."
)


def test_seed_bars() -> None:
    ents = extract_entities_rules(seed_body(), "en")
    pairs = as_pairs(ents)
    assert ("José Antonio Kast", "person") in pairs
    assert ("Luis Cordero", "person") in pairs
    assert ("Chile", "place") in pairs and ("Peru", "place") in pairs
    assert ("330,000", "number") in pairs
    assert ("Dec. 14", "date") in pairs and ("March 11", "date") in pairs
    assert ("Jeannette Jara", "person") in pairs
    chacalluta = find(ents, "Chacalluta–Santa Rosa")
    assert chacalluta is not None and chacalluta.type == "place"
    # the lone surname maps to the full name; nothing twice
    assert find(ents, "Kast") is None
    keys = [e.text.casefold() for e in ents]
    assert len(keys) == len(set(keys))
    # sentence-initial common words and headings are not names
    for junk in ("Dozens", "Videos", "Images", "Political", "Broader", "The", "Border"):
        assert find(ents, junk) is None
    # order of first appearance
    texts = [e.text for e in ents]
    assert texts.index("José Antonio Kast") < texts.index("Luis Cordero") < texts.index(
        "Jeannette Jara")


def test_seed_default_entry_point() -> None:
    pairs = as_pairs(extract_entities(seed_body()))
    assert ("330,000", "number") in pairs
    assert any(t == "José Antonio Kast" for t, _ in pairs)


def test_english_figures_and_names() -> None:
    ents = extract_entities_rules(EN, "en")
    pairs = as_pairs(ents)
    for expected in [
        ("76%", "percent"), ("$1.13bn", "money"), ("£600m", "money"), ("Monday", "date"),
        ("March 3, 2025", "date"), ("1.2 million", "number"), ("5.25 per cent", "percent"),
        ("43-year-old", "number"), ("2026", "date"),
        ("Joe Biden", "person"), ("Keir Starmer", "person"), ("Washington", "place"),
        ("Bank of England", "org"), ("London", "place"),
    ]:
        assert expected in pairs, expected
    assert find(ents, "Biden") is None  # mapped onto Joe Biden
    assert find(ents, "However") is None
    assert all(e.type in ENTITY_TYPES for e in ents)


def test_spanish_figures_and_names() -> None:
    ents = extract_entities_rules(ES, "es")
    pairs = as_pairs(ents)
    for expected in [
        ("Gabriel Boric", "person"), ("lunes", "date"), ("EE.UU.", "place"),
        ("Nueva York", "place"), ("Ministerio del Interior", "org"),
        ("3 millones de dólares", "money"), ("Universidad de Chile", "org"),
        ("5 por ciento", "percent"), ("14 de diciembre de 2025", "date"), ("Santiago", "place"),
    ]:
        assert expected in pairs, expected
    assert find(ents, "Boric") is None
    assert find(ents, "Según") is None and find(ents, "La") is None


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("rose to $11.1bn from", "$11.1bn", "money"),
        ("about €2.5 million in aid", "€2.5 million", "money"),
        ("some 330,000 people", "330,000", "number"),
        ("a 59‑year‑old ultraconservative", "59‑year‑old", "number"),
        ("grew 3.5% last year", "3.5%", "percent"),
        ("on Dec. 14 the vote", "Dec. 14", "date"),
        ("the 14th of March, 2024 vote", "14th of March, 2024", "date"),
        ("el 14 de diciembre se vota", "14 de diciembre", "date"),
        ("costó 1.200 millones de pesos", "1.200 millones de pesos", "money"),
        ("on 2025-12-14 at noon", "2025-12-14", "date"),
    ],
)
def test_figures(text: str, value: str, kind: str) -> None:
    spans = extract_figures(text)
    assert [(s.text, s.type) for s in spans][:1] == [(value, kind)]


def test_may_the_verb_is_not_a_date() -> None:
    assert extract_figures("May we come in?") == []


def test_empty() -> None:
    assert extract_entities("") == []
    assert extract_entities_rules("   ") == []


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_types_valid(text: str) -> None:
    ents = extract_entities_rules(text)
    assert all(e.type in ENTITY_TYPES and e.text for e in ents)


# -- issue 7: types and whole names seen wrong by a user -----------------------------------------

@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Trucks queued at the Desaguadero River crossing near Lake Titicaca, the Aduana "
         "Nacional said.",
         [("Desaguadero River", "place"), ("Lake Titicaca", "place"),
          ("Aduana Nacional", "org")], []),
        ("The story was corrected under the Pacific Wire Editorial Principles.",
         [], ["person", "org"]),
        ("El ministro de Relaciones Exteriores, Javier Martínez-Acha, llegó a La Paz por la "
         "ruta Cusco–Puno–La Paz.",
         [("Javier Martínez-Acha", "person"), ("La Paz", "place"), ("Cusco", "place"),
          ("Puno", "place")], ["Paz", "Relaciones Exteriores", "Cusco–Puno–La Paz"]),
        ("Los pescadores del Lago Titicaca y del río Ramis viajaron a El Alto.",
         [("Lago Titicaca", "place"), ("Ramis", "place"), ("El Alto", "place")], ["Alto"]),
        ("En Los Ángeles, el diario El Deber entrevistó a María Corina Machado.",
         [("Los Ángeles", "place"), ("El Deber", "org"), ("María Corina Machado", "person")],
         ["Corina Machado"]),
        ("Reuters y Pacific Wire citaron al Servicio Nacional de Meteorología e Hidrología.",
         [("Reuters", "org"), ("Pacific Wire", "org"),
          ("Servicio Nacional de Meteorología e Hidrología", "org")], []),
    ],
)
def test_user_reported_types(text: str, expected: list[tuple[str, str]], absent: list[str]) -> None:
    ents = extract_entities_rules(text, "es" if " el " in text or "En " in text else "en")
    pairs = as_pairs(ents)
    for item in expected:
        assert item in pairs, (item, pairs)
    for item in absent:  # a type that must not appear, or a text not typed as a name
        if item in ("person", "org"):
            assert not [p for p in pairs if p[1] == item], pairs
        else:
            found = find(ents, item)
            assert found is None or found.type not in NAME_TYPES, pairs


# -- quality gate: person / org / place on our annotated sentences (bench/entities.py) ----------

DATA = Path(__file__).resolve().parent / "data" / "entities"
NAME_TYPES = ("person", "org", "place")
# Measured for issue 7 (bench/entities.py): dev P/R 1.00 everywhere; held-out person P 0.73
# R 1.00, org P 0.96 R 0.79, place P 0.97 R 0.89. Floors sit a little below.
FLOORS = {
    "dev.jsonl": {"person": (0.95, 0.95), "org": (0.95, 0.95), "place": (0.95, 0.95)},
    "heldout.jsonl": {"person": (0.70, 0.95), "org": (0.90, 0.75), "place": (0.90, 0.85)},
}


def _precision_recall(name: str) -> dict[str, tuple[float, float]]:
    import json

    counts = {t: [0, 0, 0] for t in NAME_TYPES}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = {(normalise_key(t), ty) for t, ty in row["entities"]}
        found = {(normalise_key(e.text), e.type)
                 for e in extract_entities_rules(row["text"], row["lang"])}
        for ty in NAME_TYPES:
            g = {k for k in gold if k[1] == ty}
            p = {k for k in found if k[1] == ty}
            counts[ty][0] += len(g & p)
            counts[ty][1] += len(p)
            counts[ty][2] += len(g)
    return {t: (tp / max(pred, 1), tp / max(gold, 1)) for t, (tp, pred, gold) in counts.items()}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_gate(name: str) -> None:
    scores = _precision_recall(name)
    for ty, (p_floor, r_floor) in FLOORS[name].items():
        p, r = scores[ty]
        assert p >= p_floor and r >= r_floor, (name, ty, round(p, 2), round(r, 2))


def test_annotations_are_well_formed() -> None:
    import json

    for name in FLOORS:
        rows = [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines()]
        assert len(rows) == 30 and {r["lang"] for r in rows} == {"en", "es"}
        for row in rows:
            for text, ty in row["entities"]:
                assert text in row["text"] and ty in NAME_TYPES
