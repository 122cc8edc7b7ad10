"""Section classifier: publisher names, encoder check, threshold, and quality gates.

The quality gates read ../shared/data (BBC) and our own held-out articles in
tests/data/sections-es; the BBC gate skips when ../shared/data is absent.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from newsdesk.enrich import sections
from newsdesk.enrich.embed import embedding_text, get_embedder
from newsdesk.enrich.sections import SECTIONS, classify, map_publisher_section
from newsdesk.model import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _training_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "train_sections", ROOT / "scripts" / "train_sections.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slugs_are_stable() -> None:
    assert SECTIONS == (
        "politics", "world", "business", "technology", "science",
        "health", "sport", "culture", "environment",
    )  # fmt: skip


def test_shipped_model_is_small_and_names_its_encoder() -> None:
    assert sections.MODEL_PATH.stat().st_size < 2_000_000
    doc = json.loads(sections.MODEL_PATH.read_text(encoding="utf-8"))
    assert doc["format"] == 3
    model = sections.load_model()
    assert set(model.labels) == set(SECTIONS)
    assert (model.encoder, model.dim) == ("use", 512)
    for short in (True, False):
        part = model.with_embedding.part(short)
        assert part.coef_lex.shape == (len(SECTIONS), model.buckets)
        assert part.coef_emb is not None and part.coef_emb.shape == (len(SECTIONS), 512)
        assert model.lexical_only.part(short).coef_emb is None
    for head in (model.with_embedding, model.lexical_only):
        assert 0.0 < head.threshold < 1.0


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("Politics", "politics"),
        ("Política", "politics"),
        ("US politics", "politics"),
        ("UK Politics", "politics"),
        ("Elecciones 2024", "politics"),
        ("World", "world"),
        ("Mundo", "world"),
        ("Internacional", "world"),
        ("International", "world"),
        ("news/world", "world"),
        ("Latest world news", "world"),
        ("Business", "business"),
        ("Economía", "business"),
        ("economia", "business"),
        ("Economy", "business"),
        ("Money", "business"),
        ("Markets", "business"),
        ("Noticias de Economía", "business"),
        ("Tech", "technology"),
        ("Tecnología", "technology"),
        ("TECNOLOGÍAS", "technology"),
        ("Science", "science"),
        ("Ciencia", "science"),
        ("Ciencias", "science"),
        ("Health", "health"),
        ("Salud", "health"),
        ("Sport", "sport"),
        ("Sports", "sport"),
        ("sports", "sport"),
        ("Deportes", "sport"),
        ("Fútbol", "sport"),
        ("FUTBOL", "sport"),
        ("/es/deportes/futbol/", "sport"),
        ("Culture", "culture"),
        ("Cultura", "culture"),
        ("Arts", "culture"),
        ("Entertainment", "culture"),
        ("Arts & Entertainment", "culture"),
        ("Espectáculos", "culture"),
        ("espectaculos", "culture"),
        ("Películas", "culture"),
        ("Environment", "environment"),
        ("Medio ambiente", "environment"),
        ("Medio Ambiente", "environment"),
        ("Climate", "environment"),
        ("Clima", "environment"),
        ("Climate crisis", "environment"),
        ("Cambio climático", "environment"),
        ("  world  ", "world"),
    ],
)
def test_map_publisher_section(raw: str, slug: str) -> None:
    assert map_publisher_section(raw) == slug


@pytest.mark.parametrize("raw", [None, "", "  ", "Opinion", "Obituaries", "Lifestyle", "//", "xyz"])
def test_map_publisher_section_unknown_is_none(raw: str | None) -> None:
    assert map_publisher_section(raw) is None


SNIPPETS = [
    (
        "sport",
        "United snatch late winner against City",
        "A header in stoppage time gave the home side a 2-1 victory in the derby, lifting them "
        "to third in the Premier League table after the goalkeeper had kept them in the match.",
    ),
    (
        "sport",
        "El Atlético remonta y gana el derbi",
        "Dos goles en la segunda parte dieron la victoria al equipo rojiblanco, que se coloca "
        "segundo en la clasificación de la Liga tras un partido intenso en el estadio.",
    ),
    (
        "business",
        "Central bank raises interest rates to curb inflation",
        "The central bank lifted its benchmark rate by a quarter point on Thursday, saying "
        "price growth remained too high, and signalled that borrowing costs could rise again.",
    ),
    (
        "business",
        "El banco central sube los tipos de interés",
        "La institución elevó el precio del dinero un cuarto de punto para contener la "
        "inflación, y los mercados descuentan otra subida antes de fin de año.",
    ),
    (
        "politics",
        "Opposition wins general election by a landslide",
        "Voters handed the opposition party a large majority in parliament, and its leader is "
        "expected to be sworn in as prime minister next week after the count ended.",
    ),
    (
        "politics",
        "El partido de la oposición gana las elecciones generales",
        "Los votantes dieron la mayoría absoluta en el Congreso al principal partido de la "
        "oposición, cuyo líder será investido presidente del Gobierno la próxima semana.",
    ),
    (
        "technology",
        "Company unveils its new smartphone",
        "The handset has a faster processor, a brighter screen and a camera that uses "
        "artificial intelligence to sharpen photos; it goes on sale next month.",
    ),
    (
        "technology",
        "La compañía presenta su nuevo teléfono móvil",
        "El dispositivo incorpora un procesador más rápido, una pantalla más brillante y una "
        "cámara con inteligencia artificial; saldrá a la venta el mes que viene.",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "title", "text"), SNIPPETS, ids=lambda v: str(v)[:24])
def test_classify_hand_written_snippets(slug: str, title: str, text: str) -> None:
    got, confidence = classify(None, title, text)
    assert got == slug
    assert 0.0 <= confidence <= 1.0


@pytest.mark.slow
def test_classify_accepts_a_precomputed_embedding() -> None:
    _, title, text = SNIPPETS[0]
    vector = sections._embed(title, text)
    assert vector.shape == (512,)
    assert classify(vector, title, text, "en", encoder="use") == classify(None, title, text, "en")


def test_empty_input_is_unsectioned() -> None:
    assert classify(None, "", "") == (None, 0.0)
    assert classify(np.zeros(512, dtype=np.float32), " ", "", encoder="use") == (None, 0.0)


def test_below_the_threshold_the_article_stays_unsectioned() -> None:
    _, title, text = SNIPPETS[2]
    model = sections.load_model()
    slug, confidence = classify(None, title, text, "en", encoder="hash")
    assert slug == "business" and confidence >= model.lexical_only.threshold
    strict = dataclasses.replace(
        model, lexical_only=dataclasses.replace(model.lexical_only, threshold=1.0)
    )
    assert classify(None, title, text, "en", encoder="hash", model=strict) == (None, confidence)
    # words that say nothing about a section
    assert classify(None, "Lorem ipsum", "dolor sit amet consectetur", encoder="hash")[0] is None


# Issue 7: "the classifier accepts any 512-number vector, so with the hash embedder 37 of 47
# demo pages become 'world'".
def test_a_hash_embedder_vector_never_gets_the_use_trained_answer() -> None:
    model = sections.load_model()
    hashed = get_embedder("hash").embed([f"{title}\n{text}" for _, title, text in SNIPPETS])
    for vector, (slug, title, text) in zip(hashed, SNIPPETS, strict=True):
        assert not sections.embedding_fits(model, vector)
        lexical = classify(None, title, text, "en", encoder="hash")
        # named or not, the hash vector is set aside and the lexical-only head answers
        assert classify(vector, title, text, "en", encoder="hash") == lexical
        assert classify(vector, title, text, "en") == lexical
        assert lexical[0] in (slug, None)
    assert not sections.embedding_fits(model, np.ones(300, dtype=np.float32))
    assert not sections.embedding_fits(model, np.full(512, np.nan, dtype=np.float32))


def test_another_encoder_name_sets_even_a_use_like_vector_aside() -> None:
    model = sections.load_model()
    _, title, text = SNIPPETS[0]
    vector = model.centroid  # fits the fingerprint perfectly
    assert sections.embedding_fits(model, vector)
    assert classify(vector, title, text, "en", encoder="minilm") == classify(
        None, title, text, "en", encoder="minilm"
    )
    _, head = sections.probabilities(model, title, text, None, "en")
    assert head is model.lexical_only


def _own_held_out(lang: str) -> list[dict[str, str]]:
    train = _training_script()
    return [it for it in train.load_spanish() if it["split"] == "test" and it["lang"] == lang]


def test_own_articles_are_balanced_and_split() -> None:
    train = _training_script()
    rows = train.load_spanish()
    spanish = [it for it in rows if it["lang"] == "es"]
    assert len(spanish) >= 60
    assert {it["gold"] for it in spanish} == set(SECTIONS)
    assert {it["split"] for it in rows} == {"train", "test"}
    for slug in SECTIONS:
        held = [it for it in spanish if it["gold"] == slug and it["split"] == "test"]
        assert len(held) >= 4, slug


SPANISH_FLOOR = 0.85


@pytest.mark.slow
def test_quality_gate_spanish_held_out() -> None:
    items = _own_held_out("es")
    vectors = get_embedder("use").embed(
        [embedding_text(Article(title=it["title"], text=it["text"]))
         for it in items]
    )
    model = sections.load_model()
    got = []
    for vector, it in zip(vectors, items, strict=True):
        probs, _ = sections.probabilities(model, it["title"], it["text"], vector, "es")
        got.append(max(probs, key=lambda s: probs[s]))
    # the best slug, before the confidence threshold (coverage: bench/sections.py)
    right = sum(g == it["gold"] for g, it in zip(got, items, strict=True))
    assert right / len(items) >= SPANISH_FLOOR, f"{right}/{len(items)}: {got}"


BBC_FLOOR = 0.98


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "sections").exists(), reason="no ../shared/data")
def test_quality_gate_bbc_5_fold() -> None:
    """BBC 5-fold as bench/sections.py runs it (fold seed 0): in each fold, retrain with the
    shipped recipe and calibration on the other four folds, all of AG News and our own train
    articles; score the fold. One fold alone swings from 0.969 to 0.996, so the floor is on
    all five. About two minutes."""
    from sklearn.model_selection import StratifiedGroupKFold

    train = _training_script()
    bbc = train.load_bbc(DATA)
    others = train.load_agnews(DATA) + [it for it in train.load_spanish()
                                        if it["split"] == "train"]
    path = train.DEFAULT_CACHE / "use.npz"
    if path.exists():
        cache = train.EmbeddingCache(train.DEFAULT_CACHE)
        E, E_others = cache.embed_items(bbc), cache.embed_items(others)
    else:
        encoder = get_embedder("use")
        E = encoder.embed([train.item_embedding_text(it) for it in bbc])
        E_others = encoder.embed([train.item_embedding_text(it) for it in others])
    shipped = json.loads(sections.MODEL_PATH.read_text(encoding="utf-8"))
    calibration: dict[str, object] = {"lexical_weight": shipped["lexical_weight"]}
    for head in ("with_embedding", "lexical_only"):
        calibration[head] = {k: shipped["heads"][head][k] for k in ("temperature", "threshold")}
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=0).split(
        E, [it["gold"] for it in bbc], [train.group_key(it) for it in bbc]
    )
    right = 0
    for fit, test in folds:
        rows = [bbc[i] for i in fit] + others
        doc = train.fit_model(rows, np.vstack([E[fit], E_others]), train.PARAMS, calibration)
        model = sections.model_from_dict(doc)
        for i in test:
            probs, _ = sections.probabilities(model, bbc[i]["title"], bbc[i]["text"], E[i], "en")
            right += max(probs, key=lambda s: probs[s]) == bbc[i]["gold"]
    assert right / len(bbc) >= BBC_FLOOR, f"{right}/{len(bbc)}"
