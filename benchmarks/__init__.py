"""Benchmarks of brianmodels and meanfield against the tools users would pick instead.

Each ``bench_*.py`` script in this folder runs on its own (``python benchmarks/bench_NAME.py --help``)
and prints ratios measured side by side in one run; the numbers of full runs are recorded in
``benchmarks/RESULTS.md``. ``python -m benchmarks quick`` runs a sanity subset of every script in a
few minutes (:mod:`benchmarks.__main__` lists what each part covers). This package is not installed
with the distribution and the package code never imports it (NEST and NNMT are GPL: benchmarks and
optional tests only).
"""
