"""Memory and time of `newsdesk import` on one very large feed file.

Writes synthetic RSS 2.0 feeds into a temporary folder, imports each into a fresh SQLite
database through the real CLI in a subprocess (`newsdesk --db TMP import FILE`, hash embedder,
no page fetching), and prints the child's peak resident memory (from os.wait4's rusage), its
wall-clock seconds and the import's own summary line.

    PYTHONPATH=src .venv/bin/python bench/feeds.py [--entries 10000] [--feeds short,large]

`short`: entries with a title, a link and a two-sentence summary (~0.5 KB each).
`large`: entries that also carry the whole article in content:encoded (~1.9 KB each, ~19 MB
for 10,000 entries). Every entry's text is distinct, so nothing is deduplicated by content.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_VOCABULARY = ("harbour board council minister port quay workers residents contract plan budget "
               "river bridge ministry region election court judge police farmers market prices "
               "rain storm school hospital doctors union strike train station airport mayor "
               "committee report survey figures exports imports trade tourism museum festival")
WORDS = _VOCABULARY.split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
    return f"The {' '.join(words)} ({n}) said on {rng.choice(['Monday', 'Friday'])}."


def write_feed(path: Path, entries: int, large: bool, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
                  "<title>Bench Gazette</title><link>https://bench.example/</link>\n")
        for i in range(entries):
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} story number {i}"
            summary = " ".join(_sentence(rng, i * 10 + k) for k in range(2))
            out.write(f"<item><title>{escape(title)}</title>"
                      f"<link>https://bench.example/news/{i}.html</link>"
                      f'<guid isPermaLink="false">bench-{i}</guid>'
                      f"<pubDate>Mon, 02 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate>"
                      f"<description>{escape(summary)}</description>")
            if large:
                paras = "".join(f"<p>{escape(_sentence(rng, i * 100 + k))} "
                                f"{escape(_sentence(rng, i * 100 + k + 50))}</p>"
                                for k in range(5))
                out.write(f"<content:encoded><![CDATA[<h2>Part {i}</h2>{paras}]]>"
                          "</content:encoded>")
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def run_import(db: Path, feed: Path) -> tuple[float, float, int, str]:
    """(peak RSS MB, seconds, exit code, last output line) of one CLI import."""
    env = dict(os.environ, NEWSDESK_EMBEDDER="hash", NEWSDESK_FETCH_FULL_TEXT="false",
               PYTHONPATH=str(ROOT / "src"))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", str(db), "import",
                             str(feed)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.strip()]
    return usage.ru_maxrss / 1024, seconds, proc.returncode, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--feeds", default="short,large")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-feeds-") as tmp:
        folder = Path(tmp)
        for kind in args.feeds.split(","):
            feed = folder / f"{kind}.xml"
            write_feed(feed, args.entries, large=kind == "large")
            mb = feed.stat().st_size / 1e6
            peak, seconds, code, last = run_import(folder / f"{kind}.db", feed)
            print(f"{kind}: {args.entries} entries, {mb:.1f} MB file: peak RSS {peak:.0f} MB, "
                  f"{seconds:.1f} s, exit {code}: {last}", flush=True)


if __name__ == "__main__":
    main()
