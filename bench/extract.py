"""Extraction benchmark: P/R/F1 and pages/second on trafilatura's evaluation pages.

    .venv/bin/python bench/extract.py [--data DIR] [--every N] [--favor precision|recall]

Runs our `extract_html`, plain `trafilatura.extract` (library defaults) and plain
`trafilatura.extract(include_comments=False)` (our setting) over the same pages in the same
process and prints one line each (pages/s counts extraction time only, one process). DIR
defaults to ../shared/data/extraction/trafilatura-eval beside the repository; `--every N` scores
every N-th page only; `--favor` switches trafilatura's balance inside extract_html.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import trafilatura

from newsdesk.extract.evaluate import Score, evaluate, load_evalset
from newsdesk.extract.html import TRAFILATURA_OPTIONS, extract_html

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/extraction/trafilatura-eval"


def ours(data: bytes, url: str) -> str | None:
    return extract_html(data, url=url).text  # ExtractionError counts as refused, scores empty


def plain(data: bytes, url: str) -> str | None:
    return trafilatura.extract(data, url=url)


def plain_no_comments(data: bytes, url: str) -> str | None:
    return trafilatura.extract(data, url=url, include_comments=False)


def line(name: str, s: Score) -> str:
    return (f"{name:<24} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  "
            f"{s.pages_per_second:6.1f} pages/s  ({s.pages} pages, {s.failed} refused/failed)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--favor", choices=["balanced", "precision", "recall"],
                        default="balanced", help="trafilatura balance inside extract_html")
    args = parser.parse_args()
    if not (args.data / "evaldata.json").exists():
        print(f"no evaluation set at {args.data}", file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)  # trafilatura logs every odd page
    pages = load_evalset(args.data)[:: args.every]
    if args.favor != "balanced":
        TRAFILATURA_OPTIONS[f"favor_{args.favor}"] = True
    print(line(f"newsdesk ({args.favor})", evaluate(ours, pages)))
    print(line("trafilatura.extract", evaluate(plain, pages)))
    print(line("  include_comments=False", evaluate(plain_no_comments, pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
