"""stories/relatedness.py: the pair score behind "Similar articles" (issue 6).

Behaviour on small hand-written articles embedded with the real USE model, properties of the
score, and a quality gate on SemEval-2022 Task 8 (held-out file) when ../shared/data is present.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.enrich.embed import EMBED_CHARS, embedding_text, get_embedder
from newsdesk.model import Article
from newsdesk.stories.relatedness import (
    MIN_RELATED,
    RECENCY_WEIGHT,
    pair_features,
    pair_score,
    recency_factor,
    relatedness,
)

SEMEVAL = (Path(__file__).resolve().parents[2] / "shared" / "data" / "similarity"
           / "semeval2022-task8" / "testing_set.csv")

QUAKE_EN = (
    "Magnitude 7.1 earthquake strikes southern Peru near Arequipa",
    "A magnitude 7.1 earthquake struck southern Peru on Tuesday, damaging homes and roads in "
    "the Arequipa region. Peru's civil defence institute said at least 12 people were injured "
    "and several adobe houses collapsed in villages near the epicentre. President Dina "
    "Boluarte said the government would send emergency teams and tents to the affected areas.",
)
QUAKE_EN_2 = (
    "Strong quake shakes Arequipa, Peru; a dozen injured",
    "A powerful earthquake of magnitude 7.1 hit the south of Peru on Tuesday. Authorities in "
    "Arequipa reported 12 injured people, collapsed adobe homes and landslides blocking "
    "highways. Emergency crews were sent to the area, President Dina Boluarte said.",
)
QUAKE_ES = (
    "Un terremoto de magnitud 7,1 sacude el sur de Perú cerca de Arequipa",
    "Un sismo de magnitud 7,1 sacudió el martes el sur de Perú y dañó viviendas y carreteras en "
    "la región de Arequipa. El Instituto Nacional de Defensa Civil informó de al menos 12 "
    "heridos y del derrumbe de varias casas de adobe. La presidenta Dina Boluarte anunció el "
    "envío de brigadas de emergencia y carpas a las zonas afectadas.",
)
QUAKE_JAPAN = (
    "Magnitude 6.2 earthquake hits central Japan, trains halted",
    "An earthquake of magnitude 6.2 shook central Japan on Saturday, halting bullet trains and "
    "cutting power to thousands of homes in Ishikawa prefecture. The Japan Meteorological "
    "Agency said there was no tsunami risk. Officials reported minor injuries and cracked roads.",
)
FOOTBALL_EN = (
    "Manchester United beat Arsenal 3-1 at Old Trafford",
    "Manchester United came from behind to beat Arsenal 3-1 on Sunday. Marcus Rashford scored "
    "twice in the second half and the home fans celebrated a first league win in a month. The "
    "Arsenal manager said his side had lost their focus after the break.",
)
BANK_ES = (
    "El Banco Central Europeo mantiene los tipos de interés sin cambios",
    "El Banco Central Europeo decidió este jueves mantener los tipos de interés en el 4 %, como "
    "esperaban los mercados. Su presidenta explicó que la inflación en la zona euro sigue "
    "bajando, aunque más despacio de lo previsto, y que es pronto para hablar de recortes.",
)
PHONE_EN = (
    "Apple unveils a new iPhone with a faster chip and a better camera",
    "Apple on Tuesday introduced its new iPhone, with a faster processor, a brighter screen and "
    "an improved camera. The company said the phone would go on sale next week in most markets "
    "at the same price as last year's model.",
)


def _article(item: tuple[str, str], lang: str, published: datetime | None = None) -> Article:
    article = Article(title=item[0], text=item[1], lang=lang, published=published)
    article.embedding = get_embedder("use").embed([embedding_text(article)])[0]
    return article


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    return {
        "quake_en": _article(QUAKE_EN, "en"),
        "quake_en_2": _article(QUAKE_EN_2, "en"),
        "quake_es": _article(QUAKE_ES, "es"),
        "quake_japan": _article(QUAKE_JAPAN, "en"),
        "football_en": _article(FOOTBALL_EN, "en"),
        "bank_es": _article(BANK_ES, "es"),
        "phone_en": _article(PHONE_EN, "en"),
    }


UNRELATED = ["football_en", "bank_es", "phone_en"]


@pytest.mark.parametrize("other", ["quake_en_2", "quake_es"])
def test_same_event_scores_above_minimum_and_above_unrelated(
        articles: dict[str, Article], other: str) -> None:
    base = articles["quake_en"]
    same = relatedness(base, articles[other])
    assert same >= MIN_RELATED
    for name in UNRELATED:
        assert same > relatedness(base, articles[name]) + 0.2, name


def test_spanish_and_english_coverage_of_one_event_are_related(
        articles: dict[str, Article]) -> None:
    assert relatedness(articles["quake_es"], articles["quake_en_2"]) >= MIN_RELATED


def test_another_event_of_the_same_kind_ranks_between(articles: dict[str, Article]) -> None:
    base = articles["quake_en"]
    other_quake = relatedness(base, articles["quake_japan"])
    assert other_quake < relatedness(base, articles["quake_en_2"]) - 0.1
    assert other_quake < relatedness(base, articles["quake_es"]) - 0.1
    assert other_quake > max(relatedness(base, articles[name]) for name in UNRELATED) + 0.2


def test_unrelated_pairs_score_below_minimum(articles: dict[str, Article]) -> None:
    names = ["quake_en", "quake_es", *UNRELATED]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if {a, b} == {"quake_en", "quake_es"}:
                continue
            assert relatedness(articles[a], articles[b]) < MIN_RELATED, (a, b)


def test_shared_names_raise_the_score_within_and_across_languages() -> None:
    plain = "Officials count the damage after the storm in the north"
    named = "Officials in Arequipa count the damage after the storm"
    other_en = "Storm damage: Arequipa clears roads, Boluarte visits"
    other_es = "Daños por la tormenta: Arequipa despeja carreteras, Boluarte visita"
    for other, lang in ((other_en, "en"), (other_es, "es")):
        without = pair_score(plain, other, 0.5, "en", lang)
        with_name = pair_score(named, other, 0.5, "en", lang)
        assert with_name > without, lang
    assert pair_features(named, other_es, 0.5, "en", "es").head_names > 0


def test_shared_headline_words_count_only_within_one_language() -> None:
    a, b = "Fuel prices rise again in Chile", "Chile: fuel prices rising"
    assert pair_features(a, b, 0.5, "en", "en").head_words > 0.5
    assert pair_features(a, b, 0.5, "en", "es").head_words == 0.0
    # accents, case and word endings do not hide a shared word
    assert pair_features("Elecciones en México", "ELECCION EN MEXICO", 0.5,
                         "es", "es").head_words == 1.0


def test_numbers_match_whatever_the_thousands_separator() -> None:
    a = "Protesters: 150,000 march in Santiago"
    b = "Manifestantes: 150.000 marchan en Santiago"
    assert pair_features(a, b, 0.5, "en", "es").head_names == 1.0


def test_higher_cosine_raises_the_score() -> None:
    scores = [pair_score("a b c", "d e f", c, "en", "en") for c in (0.1, 0.4, 0.7, 0.9)]
    assert scores == sorted(scores) and scores[-1] - scores[0] > 0.5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300), st.floats(-1.0, 1.0),
       st.sampled_from(["en", "es", None]), st.sampled_from(["en", "es", None]))
def test_score_is_symmetric_and_in_unit_range(a: str, b: str, cosine: float,
                                               lang_a: str | None, lang_b: str | None) -> None:
    forward = pair_score(a, b, cosine, lang_a, lang_b)
    assert 0.0 <= forward <= 1.0
    assert forward == pytest.approx(pair_score(b, a, cosine, lang_b, lang_a))


def test_relatedness_is_symmetric_and_computes_the_cosine(articles: dict[str, Article]) -> None:
    a, b = articles["quake_en"], articles["quake_es"]
    cosine = float(np.dot(a.embedding, b.embedding))
    assert relatedness(a, b) == pytest.approx(relatedness(b, a))
    assert relatedness(a, b) == pytest.approx(relatedness(a, b, cosine))
    a_bare = Article(title=a.title, text=a.text, lang="en")
    assert relatedness(a_bare, b) < relatedness(a, b)  # no embedding: cosine 0


def test_recency_is_mild() -> None:
    day = datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert recency_factor(day, day) == 1.0
    assert recency_factor(day, None) == 1.0
    assert recency_factor(day, day + timedelta(days=10)) > 0.98
    assert recency_factor(day, day - timedelta(days=400)) == pytest.approx(1 - RECENCY_WEIGHT)
    naive = datetime(2024, 3, 1, 12)
    assert recency_factor(day, naive) == 1.0


def test_far_apart_articles_rank_lower(articles: dict[str, Article]) -> None:
    day = datetime(2024, 3, 1, tzinfo=UTC)
    near = _article(QUAKE_EN_2, "en", day + timedelta(days=1))
    far = _article(QUAKE_EN_2, "en", day + timedelta(days=200))
    base = _article(QUAKE_EN, "en", day)
    assert relatedness(base, near) > relatedness(base, far) >= 0.85 * relatedness(base, near)


@pytest.mark.slow
def test_quality_gate_on_semeval_held_out() -> None:
    """Pearson >= 0.80 per language pair on testing_set.csv, which the shipped weights were
    not fitted on (~700 texts to embed: about 10 s); above plain cosine on each; MIN_RELATED
    keeps most unrelated pairs out and most similar ones in."""
    if not SEMEVAL.is_file():
        pytest.skip("../shared/data/similarity is absent")
    with SEMEVAL.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if {r["lang1"], r["lang2"]} <= {"en", "es"}]
    texts = sorted({r[k][:EMBED_CHARS] for r in rows for k in ("text1", "text2")})
    vectors = dict(zip(texts, get_embedder("use").embed(texts), strict=True))
    by_pair: dict[str, list[tuple[float, float, float]]] = {}
    for r in rows:
        a, b = r["text1"][:EMBED_CHARS], r["text2"][:EMBED_CHARS]
        cosine = float(vectors[a] @ vectors[b])
        lp = "-".join(sorted((r["lang1"], r["lang2"]), reverse=True))
        score = pair_score(a, b, cosine, r["lang1"], r["lang2"])
        by_pair.setdefault(lp, []).append((float(r["Overall"]), cosine, score))
    assert set(by_pair) == {"en-en", "es-es", "es-en"}
    for lp, items in by_pair.items():
        table = np.array(items)  # columns: Overall, cosine, score
        ours = np.corrcoef(table[:, 2], -table[:, 0])[0, 1]
        assert ours >= 0.80, (lp, ours)
        assert ours > np.corrcoef(table[:, 1], -table[:, 0])[0, 1], lp
    everything = np.array([item for items in by_pair.values() for item in items])
    humans, passed = everything[:, 0], everything[:, 2] >= MIN_RELATED
    assert np.mean(passed[humans >= 3.5]) <= 0.10  # unrelated pairs listed
    assert np.mean(passed[humans <= 2.0]) >= 0.80  # same or similar pairs listed
