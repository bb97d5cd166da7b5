"""Differential fuzzing: thousands of random training steps, eager vs @vf.function.

Each program (tests/engine/graph/program_gen.py) runs eagerly and under every compiled
configuration (optimize off, optimize on, fusion on; parallel=True, buffer reuse on), three
calls with different inputs each, comparing loss, .grad and updated parameters after every
call. Prints `programs / configs / mismatches`, the mismatch classes (what differed, per
configuration), and for the first failing programs of each class a shrunk repro.

Run: .venv/bin/python benchmarks/fuzz_compiled_vs_eager.py --n 5000 --seed 0
     (--exclude acc,accumulate to look past a known class; --only SEED to replay one program)
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engine.graph import program_check as pc
from tests.engine.graph import program_gen as pg


def signature(p: pg.Program, m: pc.Mismatch) -> str:
    """A shrunk program's class: its move kinds, zeroing, update and what differed."""
    kinds = sorted({mv.kind for mv in p.moves} - {"param", "input"})
    return f"{m.kind} | moves {kinds} | zero={p.zero} update={p.update}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="number of programs")
    ap.add_argument("--seed", type=int, default=0, help="first program seed")
    ap.add_argument(
        "--configs",
        default=",".join(pc.CONFIGS),
        help=f"comma-separated, of {list(pc.ALL_CONFIGS)} (the last ones tell where a bug is)",
    )
    ap.add_argument("--exclude", default="", help="moves/zeroing/update kinds to leave out")
    ap.add_argument("--max-moves", type=int, default=12, help="moves drawn per program, at most")
    ap.add_argument("--shrink", type=int, default=3, help="failing programs shrunk per class")
    ap.add_argument("--only", type=int, default=None, help="replay one seed, verbosely")
    a = ap.parse_args()
    configs = [c for c in a.configs.split(",") if c]
    exclude = [x for x in a.exclude.split(",") if x]
    if a.only is not None:
        p = pg.generate(a.only, exclude, a.max_moves)
        print(pg.describe(p))
        for m in pc.check(p, configs):
            print(m)
            print(pg.describe(pc.shrink(p, pc.fails_like(p, m.config))))
        return 0

    t0 = time.perf_counter()
    raw: collections.Counter[tuple[str, str]] = collections.Counter()
    shrunk: collections.Counter[str] = collections.Counter()
    examples: dict[str, tuple[int, pc.Mismatch, pg.Program]] = {}
    shrunk_per_raw: collections.Counter[tuple[str, str]] = collections.Counter()
    eager_errors: collections.Counter[str] = collections.Counter()
    failing = 0
    for seed in range(a.seed, a.seed + a.n):
        p = pg.generate(seed, exclude, a.max_moves)
        try:
            found = pc.check(p, configs)
        except Exception as e:  # eager itself failed: not a compiled mismatch, counted apart
            eager_errors[f"{type(e).__name__}: {str(e)[:100]}"] += 1
            continue
        failing += bool(found)
        for m in found:
            raw[(m.config, m.kind)] += 1
            if shrunk_per_raw[(m.config, m.kind)] < a.shrink:
                shrunk_per_raw[(m.config, m.kind)] += 1
                q = pc.shrink(p, pc.fails_like(p, m.config))
                mq = (pc.check(q, [m.config]) or [m])[0]
                sig = signature(q, mq)
                shrunk[sig] += 1
                examples.setdefault(sig, (seed, mq, q))
    dt = time.perf_counter() - t0
    mismatches = sum(raw.values())
    print(
        f"programs {a.n} / configs {len(configs)} / mismatches {mismatches} "
        f"(programs failing: {failing}, eager errors: {sum(eager_errors.values())}) "
        f"in {dt:.1f} s"
    )
    if raw:
        print("\nmismatch classes (configuration, what differed):")
        for (config, kind), c in raw.most_common():
            print(f"  {c:6d}  [{config}] {kind}")
        print("\nshrunk classes (from the first failing programs of each class):")
        for sig, c in shrunk.most_common():
            seed, m, q = examples[sig]
            print(f"\n  {c:4d}x {sig}\n  e.g. seed {seed}: {m}")
            print("  " + pg.describe(q).replace("\n", "\n  "))
    for err, c in eager_errors.most_common():
        print(f"  eager error {c}x: {err}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
