"""Fuzzed checkpoints load with identical values or are refused clearly, the model unchanged.

1,000 mutated checkpoints from a fixed seed (a few seconds); benchmarks/fuzz_checkpoints.py
runs as many as asked.
"""

from __future__ import annotations

from collections import Counter

from .checkpoint_fuzz import Case, run


def test_fuzzed_checkpoints_never_load_half_way_or_fail_unclearly() -> None:
    others: list[str] = []
    steps: Counter[str] = Counter()

    def note(case: Case, outcome: str, detail: str) -> None:
        steps.update(case.steps)
        if outcome == "other":
            others.append(f"{case.kind} {case.steps}: {detail}")

    counts = run(1000, seed=0, on_case=note)
    assert not others, "\n".join(others[:10])
    assert sum(counts.values()) == 1000
    # the mutations reach every outcome class: the fuzzer is not only breaking zips
    assert counts["rejected"] > 500 and counts["identical"] > 20 and counts["variant"] > 3, counts
    assert steps["structural"] > 600 and steps["bytes"] > 300, steps
