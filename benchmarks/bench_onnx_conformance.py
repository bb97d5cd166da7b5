"""vf.onnx against onnx's own per-op node test cases (~1,900, from the installed wheel).

Each case's model is loaded with vf.onnx.load (inputs given the shapes of its data), run,
and compared with the case's expected outputs. Reports: op types with a vizflow converter,
cases passed natively (vizflow ops only) or with the onnx_node fallback, and a per-op-type
table. Usage: python benchmarks/bench_onnx_conformance.py [--table] [--json out.json]
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections import Counter, defaultdict

from vizflow_engine.onnx.conformance import STATUSES, CaseResult, node_cases, run_all
from vizflow_engine.onnx.control import CONTROL
from vizflow_engine.onnx.import_ops import CONVERTERS


def _table(results: list[CaseResult]) -> list[str]:
    """A markdown table: one row per op type, its cases by outcome."""
    by_op: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_op[r.op_type][r.status] += 1
    head = "| op type | converter | cases | " + " | ".join(STATUSES) + " |"
    rows = [head, "|" + "---|" * (len(STATUSES) + 3)]
    for op in sorted(by_op):
        c = by_op[op]
        conv = "yes" if op in CONVERTERS or op in CONTROL else ""
        cells = " | ".join(str(c[s]) for s in STATUSES)
        rows.append(f"| {op} | {conv} | {sum(c.values())} | {cells} |")
    return rows


def main(argv: list[str]) -> int:
    """Run every case; print the summary (and the table with --table)."""
    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    cases = node_cases()
    t_collect = time.perf_counter() - t0
    results, t_run = run_all(cases)
    counts = Counter(r.status for r in results)
    ops = {r.op_type for r in results}
    converted = ops & (set(CONVERTERS) | set(CONTROL))
    passed = counts["native"] + counts["fallback"]
    passed_ops = {r.op_type for r in results if r.status in ("native", "fallback")}
    native_ops = {
        op for op in converted if all(r.status == "native" for r in results if r.op_type == op)
    }
    n = len(results)
    print(f"cases: {n} (collected in {t_collect:.1f} s, run in {t_run:.1f} s)")
    print(f"op types tested: {len(ops)}; with a vizflow converter: {len(converted)}")
    print(f"op types with every case passing natively: {len(native_ops)}")
    print(f"op types with at least one case passing: {len(passed_ops)}")
    print(
        f"cases passed: {passed} ({100 * passed / n:.1f} %) = native {counts['native']} "
        f"({100 * counts['native'] / n:.1f} %) + fallback {counts['fallback']}"
    )
    print("outcomes: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES))
    if "--table" in argv:
        print("\n".join(_table(results)))
    if "--json" in argv:
        path = argv[argv.index("--json") + 1]
        with open(path, "w", encoding="utf-8") as f:
            json.dump([r.__dict__ for r in results], f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
