"""JSONL import throughput through the CLI, this checkout beside a baseline commit, same run.

    .venv/bin/python bench/import_jsonl.py [--baseline 5e36b7c] [--repeat 3]

Input: the 772 ECB+ articles and the first 210 BBC articles from ../shared/data (982 news
articles) as one JSONL file. Each run is `newsdesk --db FRESH.db import FILE` in a new process
(model loading included), alternating baseline and current so both see the same machine load;
the median wall time of `repeat` runs is reported for each, with articles per second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def corpus(path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        with open(DATA / "stories" / "ecbplus-dev.jsonl", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                out.write(json.dumps({"id": rec["id"], "title": rec["title"],
                                      "text": rec["text"]}) + "\n")
                n += 1
        with open(DATA / "sections" / "bbc-dev.jsonl", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= 210:
                    break
                rec = json.loads(line)
                out.write(json.dumps({"id": f"bbc-{i}", "title": rec.get("title", ""),
                                      "text": rec["text"]}) + "\n")
                n += 1
    return n


def one_run(src: Path, data: Path, folder: Path, tag: str) -> float:
    db = folder / f"{tag}-{time.monotonic_ns()}.db"
    env = {**os.environ, "PYTHONPATH": str(src), "NEWSDESK_EMBEDDER": "use"}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), "import", str(data)],
                         capture_output=True, text=True, env=env, cwd=folder)
    wall = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"{tag} import failed: {out.stderr[-2000:]}")
    print(f"  {tag}: {wall:.1f} s  ({out.stderr.strip().splitlines()[-1]})", flush=True)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="5e36b7c")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-bench-jsonl-"))
    data = folder / "news.jsonl"
    n = corpus(data)
    base = folder / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base),
                    args.baseline], check=True, capture_output=True)
    try:
        walls: dict[str, list[float]] = {"baseline": [], "current": []}
        for _ in range(args.repeat):
            walls["baseline"].append(one_run(base / "src", data, folder, "baseline"))
            walls["current"].append(one_run(ROOT / "src", data, folder, "current"))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                       check=False, capture_output=True)
    print(f"\n{n} JSONL news articles, median of {args.repeat} runs each:")
    print("| checkout | wall (s) | articles/s |")
    print("|---|---|---|")
    medians = {k: statistics.median(v) for k, v in walls.items()}
    for tag, wall in medians.items():
        label = f"baseline {args.baseline}" if tag == "baseline" else "current"
        print(f"| {label} | {wall:.1f} | {n / wall:.1f} |")
    print(f"current / baseline throughput: {medians['baseline'] / medians['current']:.2f}x")


if __name__ == "__main__":
    main()
