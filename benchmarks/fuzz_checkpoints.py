"""Checkpoint fuzzing at length: mutated .npz checkpoints loaded by Module.load and vf.load.

Each case mutates a valid checkpoint (tests/engine/checkpoint_fuzz.py: header shapes,
dtypes and order, renamed, added, duplicated and removed members, huge headers, object
arrays, modest zip bombs, the JSON structure, truncation, flipped bytes) and loads it.
Prints `tried / rejected clearly / other` (other must be 0), how many loaded identical
values or a valid variant, the most common refusals, and the first few "other" cases.

Run: .venv/bin/python benchmarks/fuzz_checkpoints.py --n 20000 --seed 0
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engine import checkpoint_fuzz as cf


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="number of cases")
    ap.add_argument("--seed", type=int, default=0, help="random seed")
    args = ap.parse_args()
    reasons: collections.Counter[str] = collections.Counter()
    others: list[str] = []

    def note(case: cf.Case, outcome: str, detail: str) -> None:
        if outcome == "rejected":  # the reason without file names, keys and numbers
            reason = detail.split(": ", 1)[-1]
            reasons[re.sub(r"'[^']*'|\d+", "…", reason)[:90]] += 1
        elif outcome == "other":
            others.append(f"{case.kind} {case.steps}: {detail}")

    t0 = time.perf_counter()
    counts = cf.run(args.n, args.seed, note)
    dt = time.perf_counter() - t0
    print(f"tried {args.n} / rejected clearly {counts['rejected']} / other {counts['other']}")
    print(
        f"loaded identical values {counts['identical']}, loaded a valid variant "
        f"{counts['variant']}; {dt:.1f} s ({dt / args.n * 1e3:.2f} ms per case)"
    )
    print("most common refusals:")
    for reason, k in reasons.most_common(12):
        print(f"  {k:6d}  {reason}")
    for line in others[:10]:
        print("OTHER", line)
    return 1 if others else 0


if __name__ == "__main__":
    sys.exit(main())
