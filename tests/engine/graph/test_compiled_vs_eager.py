"""Differential test: random training steps give the same loss, .grad and parameters under
@vf.function (optimize off, optimize on, fusion on; parallel=True, buffer reuse on) as eagerly.

A bounded, seeded subset of benchmarks/fuzz_compiled_vs_eager.py: SEEDS programs, each run
three calls with different inputs per configuration. A failure prints each mismatching
program's seed, what differed, and a shrunk program that still fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from . import program_check as pc
from . import program_gen as pg

SEEDS = range(400)
CHUNK = 50


def _report(found: list[tuple[pg.Program, pc.Mismatch]], shrink: int = 2) -> str:
    """Every mismatch in a line, and the first few programs shrunk to a repro."""
    lines = [f"{len(found)} compiled-vs-eager mismatches:"]
    lines += [f"  seed {p.seed}: {m}" for p, m in found]
    first = {p.seed: (p, m) for p, m in reversed(found)}  # one per program: its first config
    for p, m in list(first.values())[::-1][:shrink]:
        q = pc.shrink(p, pc.fails_like(p, m.config), budget=80)
        lines += [f"\nseed {p.seed} shrunk ({m.config}):", pg.describe(q)]
    lines.append("replay: .venv/bin/python benchmarks/fuzz_compiled_vs_eager.py --only SEED")
    return "\n".join(lines)


@pytest.mark.parametrize("start", range(SEEDS.start, SEEDS.stop, CHUNK))
def test_random_training_steps_compiled_equal_eager(start: int) -> None:
    found = [
        (p, m)
        for seed in range(start, start + CHUNK)
        for p in [pg.generate(seed)]
        for m in pc.check(p)
    ]
    if found:
        pytest.fail(_report(found), pytrace=False)


def test_the_bounded_programs_draw_every_move_zeroing_and_update() -> None:
    programs = [pg.generate(s) for s in SEEDS]
    kinds = {m.kind for p in programs for m in p.moves}
    assert kinds >= set(pg.GEN_MOVES) - {"repeat"} | {"param", "input"}
    assert {p.zero for p in programs} == set(pg.ZEROS)
    assert {p.update for p in programs} == set(pg.UPDATES)
    assert {p.backward for p in programs} == {1, 2}
    assert any(p.lr_decay for p in programs) and any(p.input_grad for p in programs)
    assert any(p.scale_arg for p in programs) and any(p.return_last for p in programs)
    assert any(p.alias_inputs for p in programs) and any(p.strided for p in programs)
    # shared sub-expressions (a move repeated on the same operands) and shared parameters
    assert any(len(set(p.moves)) < len(p.moves) for p in programs)
    assert any(
        len({m.ints for m in p.moves if m.kind == "param"})
        < sum(m.kind == "param" for m in p.moves)
        for p in programs
    )


def test_a_program_is_the_same_data_for_the_same_seed() -> None:
    assert pg.generate(7) == pg.generate(7)
    assert pg.generate(7) != pg.generate(8)
    assert "loss = " in pg.describe(pg.generate(7))


def _snap(**q: object) -> list[pc.Snapshot]:
    base: pc.Snapshot = {"out0": np.array(1.0), "p0.grad": np.array([1.0, 2.0]), "p0": None}
    return [base, {**base, **q}]


def test_compare_finds_values_none_and_nan_differences() -> None:
    want = _snap()
    assert pc.compare(want, _snap(), "c") is None
    m = pc.compare(want, _snap(**{"p0.grad": np.array([1.0, 2.0 + 1e-6])}), "c")
    assert m is not None and (m.call, m.quantity, m.kind) == (1, "p0.grad", "param grad: values")
    m = pc.compare(want, _snap(**{"p0.grad": None}), "c")
    assert m is not None and m.kind == "param grad: None-ness"
    m = pc.compare(want, _snap(out0=np.array(np.nan)), "c")
    assert m is not None and m.kind == "loss: NaN positions differ"
    # within rtol 1e-9 / atol 1e-12 is equal; NaN where eager has NaN is equal
    assert pc.compare(want, _snap(out0=np.array(1.0 + 1e-11)), "c") is None
    nan = _snap(out0=np.array(np.nan))
    assert pc.compare(nan, nan, "c") is None


def test_the_shrinker_keeps_a_failure_and_drops_what_does_not_matter() -> None:
    # a failure planted in the predicate: a program "fails" while it has a tanh move, so
    # shrinking must keep exactly one tanh and drop the moves nothing needs
    def has_tanh(q: pg.Program) -> bool:
        return any(m.kind == "unary" and m.ints == (0,) for m in q.moves)

    p = next(p for s in range(200) for p in [pg.generate(s)] if len(p.moves) > 8 and has_tanh(p))
    q = pc.shrink(p, has_tanh)
    assert has_tanh(q) and len(q.moves) < len(p.moves)
    # 1-minimal: without any one of its moves the program no longer "fails"
    smaller = [pc.drop_move(q, k) for k in range(len(q.moves))]
    assert not any(c is not None and has_tanh(c) for c in smaller)
    assert all(r < k for k, m in enumerate(q.moves) for r in m.refs)  # still a valid program
