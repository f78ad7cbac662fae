"""Command line: ``python -m figures NAME|list|all [--quick] [--out DIR]``."""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from . import FIGURES, names


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m figures", description=__doc__)
    parser.add_argument("name", help="figure name, 'list' or 'all'")
    parser.add_argument("--quick", action="store_true", help="reduced protocol (smaller N/T, fewer points)")
    parser.add_argument("--out", default="figures_out", help="output folder (default: ./figures_out)")
    args = parser.parse_args(argv)
    if args.name == "list":
        print("\n".join(names()))
        return 0
    todo = names() if args.name == "all" else [args.name]
    unknown = [n for n in todo if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from: {', '.join(names())}, list, all")
    for name in todo:
        t0 = time.perf_counter()
        module = importlib.import_module(FIGURES[name][0])
        out = Path(args.out)
        print(f"== {name}: {FIGURES[name][1]}  ->  {out.resolve()}", flush=True)
        summary = module.run(out, quick=args.quick)
        if summary:
            print(summary)
        print(f"== {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
