"""Fuzz the widgets' browser-to-kernel messages longer than `make test` does.

Each widget type gets random and mutated comm messages through its real comm entry point
(see tests/kernelext/widget_fuzz.py) and prints `tried / rejected clearly / other`, where
other counts every message that raised into the kernel, changed state while refused, or
got a missing, invalid, oversized or slow reply; the first few are printed.

Run: python benchmarks/fuzz_widget_messages.py [--messages 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.kernelext.widget_fuzz import WIDGET_CASES, run_fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000, help="per widget type")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failed = False
    for case in WIDGET_CASES:
        start = time.perf_counter()
        counts = run_fuzz(case, args.messages, args.seed)
        elapsed = time.perf_counter() - start
        print(f"{case.name}: {counts.line()} in {elapsed:.1f} s")
        for reason, n in counts.reasons.most_common():
            print(f"  other: {n} x {reason}")
        for failure in counts.failures:
            print(f"  {failure}")
        failed = failed or counts.other > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
