"""Long graph-file fuzz run: `python benchmarks/fuzz_graph_files.py --n 100000 [--seed S]`.

Prints `tried / rejected clearly / accepted valid / other` and the first `other` cases (a
case is `other` when loading raised anything but GraphFormatError, accepted a certainly
invalid file, ran a code payload, or gave a graph that fails to re-save or to run with
anything but a VizflowError). Exits 1 if any case was `other`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.fuzz.graph_files import fuzz


def main() -> int:
    """Run the fuzzer and print its counts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="cases to try")
    ap.add_argument("--seed", type=int, default=0, help="random seed")
    args = ap.parse_args()
    start = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        tally = fuzz(args.n, seed=args.seed)
    print(f"{tally.line()}  ({time.perf_counter() - start:.0f} s, seed {args.seed})")
    for example in tally.examples:
        print("  other:", example)
    return 1 if tally.other else 0


if __name__ == "__main__":
    sys.exit(main())
