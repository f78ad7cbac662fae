"""Command line: ``python -m figures NAME|list|all [--quick] [--out DIR]``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import load, names


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m figures",
                                     description="Reproduce the papers' figures (PNG + CSV + summary).")
    parser.add_argument("name", help="figure name, 'list' or 'all'")
    parser.add_argument("--quick", action="store_true", help="reduced protocol (smaller N/T, fewer points)")
    parser.add_argument("--out", default="figures_out", help="output folder (default: ./figures_out)")
    args = parser.parse_args(argv)
    if args.name == "list":
        print("\n".join(names()))
        return 0
    todo = names() if args.name == "all" else [args.name]
    if args.name != "all" and args.name not in names():
        parser.error(f"unknown figure {args.name!r}; choose from: {', '.join(names())}, list, all")
    out = Path(args.out)
    for name in todo:
        t0 = time.perf_counter()
        module = load(name)
        print(f"== {name}: {module.DESCRIPTION}  ->  {out.resolve()}", flush=True)
        summary = module.run(out, quick=args.quick)
        if summary:
            print(summary)
        print(f"== {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
