"""``python -m bench [--sizes S,M,L] [--sections optimizer,simulation] [--out DIR] [--quick]``."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from bench.harness import SECTIONS, run_sections
from bench.machine import ROOT, machine_info
from bench.report import print_run, write_results
from bench.sizes import DEFAULT_SIZES, SIZES, parse_sizes

__all__ = ["main"]


def _sections(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"sections must be some of {', '.join(SECTIONS)}, got {text!r}"
        )
    return names


def _sizes(text: str) -> tuple[str, ...]:
    try:
        return parse_sizes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Benchmarks: every figure against a baseline run alongside it, each case in its own "
            "process; prints a table and writes results.csv and results.json."
        ),
        epilog="Example: python -m bench --sections simulation --quick --out results/bench",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        help="scenario sizes for the optimizer: "
        + "; ".join(f"{s.name} = {s.skus} SKUs x {s.suppliers} suppliers" for s in SIZES.values())
        + f" (default {','.join(DEFAULT_SIZES)}: L only when asked, its build takes minutes)",
    )
    parser.add_argument(
        "--sections",
        type=_sections,
        default=SECTIONS,
        help=f"sections to run, of {', '.join(SECTIONS)} (default all present)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for results.csv and results.json (default results/bench/<time>)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small replication counts: a look in a minute or so"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; 0 when done (a missed target is a finding, not a failure)."""
    args = _parser().parse_args(argv)
    out = args.out or ROOT / "results" / "bench" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    machine = machine_info()
    run = run_sections(args.sections, args.sizes, args.quick)
    settings = {"sections": list(args.sections), "sizes": list(args.sizes), "quick": args.quick}
    print_run(run, machine)
    csv_path, json_path = write_results(out, run, machine, settings)
    print(f"Wrote {csv_path} and {json_path}")
    return 0
