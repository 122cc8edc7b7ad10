"""Settings: precedence, coercion, and a README that documents every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.config import SETTINGS, Config, settings_markdown
from newsdesk.errors import ConfigError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_settings_table_is_current() -> None:
    assert settings_markdown() in README.read_text(encoding="utf-8"), (
        "README settings table is out of date: paste newsdesk.config.settings_markdown()")


def test_every_setting_has_help() -> None:
    for s in SETTINGS:
        assert s.help.strip(), s.name


def test_precedence_override_env_file_default(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Config().site_name == "newsdesk"
    (tmp_path / "newsdesk.toml").write_text('site_name = "From file"\nport = 9000\n')
    assert Config().site_name == "From file" and Config().port == 9000
    monkeypatch.setenv("NEWSDESK_SITE_NAME", "From env")
    assert Config().site_name == "From env"
    assert Config(site_name="Override").site_name == "Override"


def test_bad_values_name_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSDESK_PORT", "eighty")
    with pytest.raises(ConfigError, match="port"):
        Config()
    monkeypatch.delenv("NEWSDESK_PORT")
    monkeypatch.setenv("NEWSDESK_ALLOW_PRIVATE", "maybe")
    with pytest.raises(ConfigError, match="allow_private"):
        Config()


def test_unknown_setting_in_file_is_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsdesk.toml").write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="colour"):
        Config()
