"""The CLI contract, run as a real process against a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.enrich.sentences import split_sentences

DATA = Path(__file__).parent / "data" / "import"


def run(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSDESK_EMBEDDER": "use"}
    return subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def export(db: Path) -> list[dict]:
    out = run(db, "export", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_seed_page_import_and_export(tmp_path: Path, seed_html: Path) -> None:
    db = tmp_path / "n.db"
    out = run(db, "import", str(seed_html))
    assert out.returncode == 0, out.stderr
    assert "imported 1" in out.stderr
    records = export(db)
    assert len(records) == 1
    rec = records[0]
    title = "Migrants Stranded at Chile–Peru Border Amid Fears of Forced Expulsions Ahead of Runoff"
    assert rec["title"] == title
    assert title not in rec["text"]
    assert rec["source"] == "CRBC News"
    assert rec["section"] in ("politics", "world")
    assert rec["lang"] == "en"
    # the publisher's standfirst whole: four sentences, the Kast one included (issue 7)
    assert 2 <= len(split_sentences(rec["summary"], "en")) <= 5 and "330,000" in rec["summary"]
    facts = " ".join(rec["key_facts"])
    assert 3 <= len(rec["key_facts"]) <= 6
    assert "330,000" in facts
    assert "Chacalluta–Santa Rosa" in facts
    for heading in ("Border standoff", "Political context", "Broader migration dynamics"):
        assert f"\n\n{heading}\n\n" in rec["text"]
    assert "Key facts:" not in rec["text"]
    names = {e["text"] for e in rec["entities"]}
    assert "José Antonio Kast" in names
    for key in ("id", "url", "published", "story", "similar"):
        assert key in rec


def test_bad_inputs_are_refused_one_line_each_and_rest_imported(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    first = run(db, "import", str(DATA / "museum.json"))
    assert first.returncode == 0, first.stderr
    before = export(db)

    bad = tmp_path / "batch"
    bad.mkdir()
    (bad / "empty.xml").write_text("")
    (bad / "binary.html").write_bytes(bytes(range(256)) * 40)
    (bad / "invalid.xml").write_text("<rss><channel><item><title>x</titl")
    (bad / "lines.jsonl").write_text(
        json.dumps({"id": "ok-1", "title": "Good line", "text": "Harbour cranes are idle. "
                    "Dockers met on Monday to vote on the contract offered by the port."}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "no-text", "title": "Nothing here"}) + "\n")
    (bad / "huge.html").write_text("<p>" + "word " * 400_000 + "</p>")
    env_limit = {"NEWSDESK_MAX_FILE_BYTES": "1000000"}
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--db", str(db), "import", str(bad),
         str(DATA / "museum.json")],
        capture_output=True, text=True, env={**os.environ, **env_limit}, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    refused = [line for line in proc.stderr.splitlines() if line.startswith("refused:")]
    joined = "\n".join(refused)
    for name, reason in (("empty.xml", "empty"), ("binary.html", "binary"),
                         ("invalid.xml", "unclosed token"), ("lines.jsonl line 2", "JSON"),
                         ("lines.jsonl line 3", "no text"), ("huge.html", "limit")):
        line = next((r for r in refused if name in r), None)
        assert line is not None, f"{name} not refused:\n{joined}"
        assert reason.lower() in line.lower(), line
    assert len(refused) == 6, joined
    assert "imported 1" in proc.stderr and "duplicates 1" in proc.stderr
    after = export(db)
    # what was stored before is untouched (its similar list may now name the new article)
    assert {k: v for k, v in after[0].items() if k != "similar"} == {
        k: v for k, v in before[0].items() if k != "similar"}
    assert {r["id"] for r in after} == {before[0]["id"], "ok-1"}


def test_same_article_twice_is_stored_once_and_tombstones_hold(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    out = run(db, "import", str(DATA / "two-feeds-a.xml"), str(DATA / "two-feeds-b.atom"))
    assert out.returncode == 0, out.stderr
    assert "imported 1" in out.stderr and "duplicates 1" in out.stderr
    again = run(db, "import", str(DATA / "two-feeds-a.xml"))
    assert "imported 0" in again.stderr and "duplicates 1" in again.stderr
    records = export(db)
    assert len(records) == 1
    assert records[0]["url"] == "https://harbour-gazette.example/2026/11/dock-strike-ends"
    assert "alert(1)" not in json.dumps(records[0])
    deleted = run(db, "delete", str(records[0]["id"]))
    assert deleted.returncode == 0, deleted.stderr
    back = run(db, "import", str(DATA / "two-feeds-b.atom"))
    assert "imported 0" in back.stderr
    assert export(db) == []


def test_opml_subscribes_and_json_feed_imports(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    out = run(db, "import", str(DATA / "subscriptions.opml"), str(DATA / "museum.json"))
    assert out.returncode == 0, out.stderr
    assert "feeds subscribed 2" in out.stderr
    rec = export(db)[0]
    assert rec["lang"] == "es" and rec["section"] == "culture"
    assert "Colección ampliada" in rec["text"]


def test_search_similar_stories_and_extract_formats(tmp_path: Path, seed_html: Path) -> None:
    db = tmp_path / "n.db"
    run(db, "import", str(DATA))
    hits = run(db, "search", "museo", "--format", "jsonl")
    assert hits.returncode == 0
    first = json.loads(hits.stdout.splitlines()[0])
    assert {"id", "title", "score"} <= set(first) and "museo" in first["title"].lower()
    # another outlet's report of the same reopening, in English: the story's first link
    (tmp_path / "more.jsonl").write_text(json.dumps({
        "id": "sh-1", "title": "San Telmo's city museum reopens after two years of works",
        "source": "Harbour Post", "lang": "en", "published": "2026-11-07T15:00:00+00:00",
        "text": "The San Telmo Municipal Museum reopened on Saturday after two years of works, "
                "with 14 new rooms and an investment of 3.2 million euros. Its director, Inés "
                "Albornoz, said the collection adds 600 pieces never shown before."}) + "\n")
    run(db, "import", str(tmp_path / "more.jsonl"))
    sim = run(db, "similar", first["id"], "--format", "jsonl")
    assert sim.returncode == 0
    links = [json.loads(line) for line in sim.stdout.splitlines()]
    assert links[0]["id"] == "sh-1" and links[0]["lang"] == "en"
    # the dock strike has nothing to do with a museum: not listed as filler
    assert all("Dock" not in link["title"] for link in links)
    assert run(db, "similar", "no-such-id").returncode == 1  # not found (issue 8)
    listed = run(db, "stories", "--format", "jsonl")
    assert listed.returncode == 0
    story = json.loads(listed.stdout.splitlines()[0])
    assert set(story["articles"]) == {first["id"], "sh-1"} and story["langs"] == ["en", "es"]
    assert story["headline"] and story["summary"]
    full = run(db, "stories", str(story["id"]), "--format", "jsonl")
    detail = json.loads(full.stdout)
    assert [t["id"] for t in detail["timeline"]] == [first["id"], "sh-1"]  # oldest first
    assert len(detail["outlets"]) == 2 and detail["outlets"]["Harbour Post"] == 1
    text = run(db, "stories", str(story["id"]))
    assert "Timeline:" in text.stdout and "Coverage:" in text.stdout
    gone = run(db, "stories", "999")
    assert gone.returncode == 1 and "no story 999" in gone.stderr

    ext = run(db, "extract", str(seed_html), "--format", "jsonl")
    assert ext.returncode == 0, ext.stderr
    obj = json.loads(ext.stdout)
    for key in ("path", "title", "text", "byline", "published", "lang"):
        assert key in obj
    text = run(db, "extract", str(seed_html), "--format", "text")
    assert text.stdout.startswith("Migrants Stranded")
    missing = run(db, "extract", str(tmp_path / "missing.html"))
    assert missing.returncode == 1 and "missing.html" in missing.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    assert run(db, "export", "--format", "csv").returncode == 2
    assert run(db, "no-such-command").returncode == 2
    assert run(tmp_path / "nofolder" / "x.db", "init").returncode == 2


@pytest.mark.slow
def test_demo_imports_corpus_without_serving(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    out = run(db, "demo", "--no-serve")
    assert out.returncode == 0, out.stderr
    records = export(db)
    assert len(records) >= 40
    assert {r["lang"] for r in records} >= {"en", "es"}
    # each page completes the feed entry it belongs to: stored once, counted as an update
    assert f"imported {len(records)}, updated {len(records)}" in out.stderr
    again = run(db, "demo", "--no-serve")
    assert "imported 0" in again.stderr


# -- never a traceback (issue 8) -------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    from newsdesk import __version__

    out = run(tmp_path / "n.db", "--version")
    assert out.returncode == 0 and out.stdout == f"newsdesk {__version__}\n"


def test_ids_that_name_nothing_are_not_found_exit_1(tmp_path: Path) -> None:
    """Regression (issue 8): `delete 99999999999999999999` printed an OverflowError traceback
    and `similar 9999` exited 2 (bad usage) for an id that does not exist."""
    db = tmp_path / "n.db"
    assert run(db, "import", str(DATA / "museum.json")).returncode == 0
    before = export(db)
    huge = "99999999999999999999"
    cases = [("delete", huge, "no article"), ("delete", "9999", "no article"),
             ("delete", "²", "no article"), ("delete", "0", "no article"),
             ("similar", huge, "no article"), ("similar", "9999", "no article"),
             ("stories", huge, f"no story {huge}"), ("stories", "9999", "no story 9999"),
             ("stories", "0", "no story 0")]
    for command, ident, said in cases:
        out = run(db, command, ident)
        assert out.returncode == 1, (command, ident, out.stderr)
        assert out.stderr.splitlines() == [out.stderr.strip()], out.stderr  # one line
        assert out.stderr.startswith(f"newsdesk {command}: {said}"), out.stderr
    assert export(db) == before  # nothing deleted or changed


def test_odd_arguments_never_give_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    calls = [("search", "--limit", "99999999999999999999", "x"), ("stories", "--limit", "0"),
             ("serve", "--port", "99999"), ("search", '"'), ("search", "*", "--format", "jsonl"),
             ("feeds", "--format", "xml"), ("fetch", ""), ("fetch", "http://"),
             ("add-feed", "http://[::1"), ("worker", "--once", "--interval", "-5"),
             ("export", "--since", "99999-99-99"), ("similar", ""), ("delete", "")]
    for args in calls:
        out = run(db, *args)
        assert out.returncode in (0, 1, 2), (args, out.returncode)
        assert "Traceback" not in out.stderr + out.stdout, (args, out.stderr)
    assert run(tmp_path / "n.db", "--db", "/dev/null", "init").returncode == 1


BOOM = """
import sys
import newsdesk.cli as cli

@cli.app.command()
def boom() -> None:
    '''A command that fails in a way nobody foresaw.'''
    {}['no such key']

sys.argv = ["newsdesk", *sys.argv[1:]]
cli.main()
"""


def test_an_unexpected_error_is_one_line_naming_the_command(tmp_path: Path) -> None:
    """The last-resort handler: one line, exit 1; the traceback only with --debug or
    NEWSDESK_DEBUG=1."""
    def boom(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", BOOM, *args], capture_output=True,
                              text=True, timeout=120, env={**os.environ, **env})

    plain = boom("boom")
    assert plain.returncode == 1
    assert plain.stderr == ("newsdesk boom: unexpected error: KeyError: 'no such key' "
                            "(run with --debug for the traceback)\n")
    for debug in (boom("--debug", "boom"), boom("boom", NEWSDESK_DEBUG="1")):
        assert debug.returncode == 1
        assert debug.stderr.startswith("Traceback (most recent call last):")
        assert debug.stderr.endswith("newsdesk boom: unexpected error: KeyError: "
                                     "'no such key'\n")
