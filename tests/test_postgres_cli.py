"""The CLI contract on PostgreSQL: the same commands and the same records as on SQLite."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import DEMO_DIR

VOLATILE = {"newsdesk_id", "fetched", "story", "similar"}  # numbering and neighbours differ


def run(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSDESK_EMBEDDER": "use"}
    return subprocess.run([sys.executable, "-m", "newsdesk", "--db", db, *args],
                          capture_output=True, text=True, env=env, timeout=300)


def export(db: str) -> list[dict]:
    out = run(db, "export", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_seed_page_exports_the_same_record_on_both_engines(
        pg_url: str, tmp_path: Path, seed_html: Path) -> None:
    records = {}
    for engine, db in (("sqlite", str(tmp_path / "seed.db")), ("postgresql", pg_url)):
        out = run(db, "import", str(seed_html))
        assert out.returncode == 0 and "imported 1" in out.stderr, out.stderr
        [records[engine]] = export(db)
    pg, lite = records["postgresql"], records["sqlite"]
    assert {k: v for k, v in pg.items() if k not in VOLATILE} == \
        {k: v for k, v in lite.items() if k not in VOLATILE}
    assert pg["title"].startswith("Migrants Stranded at Chile–Peru Border")
    assert pg["title"] not in pg["text"]  # the headline once
    assert pg["section"] in ("politics", "world")
    facts = " ".join(pg["key_facts"])
    assert "330,000" in facts and "Chacalluta" in facts
    assert "Political context" in pg["headings"] and "Kast" in pg["text"]


def test_every_command_works_on_postgresql(pg_url: str) -> None:
    out = run(pg_url, "init")
    assert out.returncode == 0 and "PostgreSQL" in out.stderr, out.stderr
    out = run(pg_url, "import", str(DEMO_DIR / "feeds"), str(DEMO_DIR / "pages"))
    assert out.returncode == 0, out.stderr
    records = export(pg_url)
    assert len(records) == 47 and all(r["summary"] and r["story"] for r in records)
    again = run(pg_url, "import", str(DEMO_DIR / "feeds"))
    assert again.returncode == 0 and "imported 0" in again.stderr

    hits = run(pg_url, "search", "Desaguadero", "--format", "jsonl")
    assert hits.returncode == 0
    found = [json.loads(line) for line in hits.stdout.splitlines()]
    assert found and all({"id", "title", "score"} <= set(h) for h in found)
    # a Spanish word finds English coverage too (hybrid search on PostgreSQL)
    cross = [json.loads(line) for line in
             run(pg_url, "search", "frontera", "--format", "jsonl").stdout.splitlines()]
    assert {"en", "es"} <= {h["lang"] for h in cross}

    stories = [json.loads(line) for line in
               run(pg_url, "stories", "--format", "jsonl").stdout.splitlines()]
    border = [s for s in stories if any("Desaguadero" in t for t in [s["title"]])]
    assert stories and max(len(s["articles"]) for s in stories) >= 3
    assert border or any(set(s["langs"]) == {"en", "es"} for s in stories)

    first = records[0]["id"]
    similar = run(pg_url, "similar", first, "--format", "jsonl")
    assert similar.returncode == 0 and similar.stdout.strip()
    assert run(pg_url, "delete", first).returncode == 0
    assert run(pg_url, "similar", first).returncode == 1  # gone: not found (issue 8)
    assert len(export(pg_url)) == 46
    reimport = run(pg_url, "import", str(DEMO_DIR / "feeds"), str(DEMO_DIR / "pages"))
    assert "imported 0" in reimport.stderr  # the tombstone keeps it out


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    out = run("postgresql://newsdesk@127.0.0.1:9/nowhere", "init")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "PostgreSQL" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def _system_postgres() -> Path | None:
    """The bin folder of this machine's own PostgreSQL (Debian's has no pgvector)."""
    for initdb in sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True):
        if not (initdb.parent.parent.parent.parent / "share" / "postgresql" /
                initdb.parent.parent.name / "extension" / "vector.control").exists():
            return initdb.parent
    return None


def test_a_server_without_pgvector_is_refused_in_one_line() -> None:
    bin_dir = _system_postgres()
    if bin_dir is None or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs a system PostgreSQL without pgvector and root to start it as postgres")
    data = Path(tempfile.mkdtemp(prefix="newsdesk-novector-"))
    shutil.chown(data, user="postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_pg, str(bin_dir / "initdb"), "-D", str(data / "db"), "-A", "trust"],
                   check=True, capture_output=True, timeout=120)
    # the server's output goes to a log file: a pipe would keep this call waiting for it
    subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-w", "-l",
                    str(data / "log"), "-o", f"-k {data} -p {port} -c listen_addresses=''",
                    "start"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    try:
        out = run(f"postgresql://postgres@/postgres?host={data}&port={port}", "init")
        assert out.returncode == 2, out.stderr  # a setting that cannot work: bad usage
        assert "pgvector is not installed" in out.stderr and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    finally:
        subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast",
                        "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
        shutil.rmtree(data, ignore_errors=True)
