"""Run the benchmarks, print one table, and merge the results into bench/results.json.

    .venv/bin/python bench/run_all.py                 # every benchmark on SQLite (`make bench`)
    .venv/bin/python bench/run_all.py --only 1,2      # a subset
    .venv/bin/python bench/run_all.py --only 1,4,5 --postgres postgresql://...  # bench-postgres

Benchmarks are not tests: they print figures and never run in `make test`. The exit code is 0
even when a target is missed (the table says FAIL); it is non-zero only when a benchmark crashes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Target, machine, markdown_table, result, table, write_results

# number -> (module in bench/, what it measures)
BENCHMARKS: dict[str, tuple[str, str]] = {
    "1": ("pipeline", "order pipeline open + close vs. raw driver replay"),
    "2": ("budget", "budget cost with 0 vs 1,000,000 closed rows"),
    "3": ("reconcile", "reconcile-paper-positions over 100,000 rows"),
    "4": ("http_load", "HTTP API under load (gunicorn)"),
    "5": ("races", "16 racing opens and closes on new bots"),
    "6": ("signals", "32 webhook senders, 16 bots, gunicorn + the Huey worker"),
    "7": ("exits", "paper exits: crossed-exit search 1k vs 100k, 1,000 triggers in one tick"),
    "8": ("pages", "Bots list and bot page, 10 bots x 20,000 closes; streamed CSV export"),
}


def run(only: list[str], target: Target) -> tuple[list[dict[str, Any]], bool]:
    results: list[dict[str, Any]] = []
    crashed = False
    for number in only:
        module_name, what = BENCHMARKS[number]
        print(f"[{number}] {what} on {target.label} ...", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            results.append(
                result(
                    f"{number} {module_name} [{target.label}]",
                    figures={"status": "not built yet"},
                    unit="-",
                    target="-",
                    passed=False,
                )
            )
            continue
        try:
            produced = module.run(target)
        except Exception as exc:
            crashed = True
            traceback.print_exc()
            produced = [
                result(
                    f"{number} {module_name} [{target.label}]",
                    figures={"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"},
                    unit="-",
                    target="-",
                    passed=False,
                )
            ]
        print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)
        results.extend(produced)
    return results, crashed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="e.g. 1,2")
    parser.add_argument("--postgres", default="", help="admin URL of a PostgreSQL cluster")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in only if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")
    target = Target("postgresql", args.postgres) if args.postgres else Target()
    info = machine()
    print(
        f"machine: {info['nproc']} CPU ({info['cpu']}), Python {info['python']}, "
        f"SQLite {info['sqlite']}"
    )
    results, crashed = run(only, target)
    write_results(results)
    print()
    print(table(results))
    if args.markdown:
        print()
        print(markdown_table(results))
    print(f"\nwritten to {Path(__file__).resolve().parent / 'results.json'}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
