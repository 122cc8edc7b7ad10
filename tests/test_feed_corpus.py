"""feedparser's own test corpus (2,107 feeds, many broken on purpose) read as newsdesk reads
feeds: no traceback, each file imported or refused in one line, and every feed feedparser
reads without `bozo` kept with all its entries.

The whole corpus goes through `parse_feed` + `normalise` (what an import does before storing);
a sample of it goes through the real CLI into SQLite. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from newsdesk.errors import InputError, ParseError
from newsdesk.ingest.feeds import parse_feed
from newsdesk.ingest.normalise import normalise

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds" / "feedparser-tests"
# feeds feedparser reads without bozo that newsdesk refuses on purpose, and why
REFUSED_ON_PURPOSE = {
    "wellformed/rss/entity_in_doctype.xml": "unsafe XML: entity declarations are not allowed",
    "wellformed/rdf/doctype_contains_entity_decl.xml":
        "unsafe XML: entity declarations are not allowed",
}


def _corpus() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip("feedparser test corpus (../shared/data/feeds) is absent")
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


def _read(path: Path) -> tuple[int | None, str | None]:
    """(articles ready to store, None) or (None, one-line refusal). Anything else raises."""
    try:
        parsed = parse_feed(path.read_bytes(), path.name, base_url="http://example.org/f")
    except InputError as exc:
        return None, exc.reason
    for article in parsed.entries:
        normalise(article)  # raises InputError for an entry it cannot keep: a failure here
    return len(parsed.entries), None


@pytest.mark.slow
def test_whole_corpus_imported_or_refused_in_one_line() -> None:
    paths = _corpus()
    assert len(paths) == 2107
    tracebacks, lost, refused, imported = [], [], {}, 0
    for path in paths:
        rel = path.relative_to(CORPUS).as_posix()
        data = path.read_bytes()
        try:
            count, reason = _read(path)
        except Exception as exc:  # the point of the test: nothing but a refusal may escape
            tracebacks.append(f"{rel}: {type(exc).__name__}: {exc}")
            continue
        if reason is not None:
            assert "\n" not in reason and reason.strip(), rel
            refused[rel] = reason
            continue
        imported += 1
        reference = feedparser.parse(data)
        if not reference.bozo and count != len(reference.entries):
            lost.append(f"{rel}: {count} of {len(reference.entries)} entries")
    assert tracebacks == []
    assert lost == []
    for rel, reason in REFUSED_ON_PURPOSE.items():
        assert refused.get(rel) == reason
    # every refusal of a feed feedparser reads cleanly is one of those, or a file with no
    # entries and no RSS/Atom root (feedparser's CDF channel tests)
    for rel, reason in refused.items():
        reference = feedparser.parse((CORPUS / rel).read_bytes())
        if not reference.bozo and rel not in REFUSED_ON_PURPOSE:
            assert not reference.entries and not reference.version, (rel, reason)
            assert reason == "not a feed: no RSS, RDF or Atom root element", rel
    assert imported + len(refused) == 2107
    assert imported > 1800


@pytest.mark.slow
def test_a_sample_imports_through_the_cli_into_sqlite(tmp_path: Path) -> None:
    """One file in 20 through `newsdesk import`: exit 1 only for the files it refuses, one
    "refused:" line each, every entry of every other file stored (or a duplicate)."""
    sample = _corpus()[::20]
    folder = tmp_path / "feeds"
    folder.mkdir()
    expected_entries = 0
    expected_refused = []
    for n, path in enumerate(sample):
        dest = folder / f"{n:03d}-{path.name}"
        shutil.copy(path, dest)
        count, reason = _read(path)
        if reason is None:
            expected_entries += count or 0
        else:
            expected_refused.append(dest.name)
    db = tmp_path / "desk.db"
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hash", "NEWSDESK_FETCH_FULL_TEXT": "false"}
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                          str(folder)], capture_output=True, text=True, env=env, timeout=600)
    assert "Traceback" not in out.stderr + out.stdout
    refusals = [line for line in out.stderr.splitlines() if line.startswith("refused: ")]
    assert sorted(Path(line.split(": ")[1]).name for line in refusals) == expected_refused
    assert out.returncode == (1 if expected_refused else 0)
    summary = out.stderr.strip().splitlines()[-1]
    counts = dict(part.rsplit(" ", 1) for part in summary.split(", ")[:3])
    with sqlite3.connect(db) as con:
        stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert int(counts["imported"]) == stored > 20
    assert int(counts["imported"]) + int(counts["duplicates"]) == expected_entries


def test_entity_declaring_corpus_feed_is_refused_in_one_line() -> None:
    _corpus()
    path = CORPUS / "wellformed" / "rss" / "entity_in_doctype.xml"
    with pytest.raises(ParseError) as caught:
        parse_feed(path.read_bytes(), "entity_in_doctype.xml")
    assert str(caught.value) == ("entity_in_doctype.xml: unsafe XML: entity declarations are "
                                 "not allowed")
