"""A KeptStretch in the history: values kept as they are, records made when read, let go oldest
first with their zero counts counted, copied when asked, and dropped by a truncate."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from vizflow_engine.debug.health import known_finite_health
from vizflow_engine.debug.history import History, KeptStretch, Step

NAMES = SimpleNamespace(
    names=[f"n{k}" for k in range(20)], ops=["mul"] * 20, phases=["forward"] * 20
)


def _values(n: int) -> list[np.ndarray]:
    """n small arrays, value k holding k zeros."""
    return [np.array([0.0] * k + [1.0] * (8 - k), np.float32) for k in range(n)]


def _history(cap: int, n: int) -> tuple[History, list[np.ndarray]]:
    h = History(max_values=cap)
    vals = _values(n)
    assert h.kept_from([32] * n) == 0
    h.add_kept(KeptStretch(0, 0, list(vals), [float(t) for t in range(n + 1)], NAMES))
    return h, vals


def test_records_are_made_when_read_with_the_kept_values() -> None:
    h, vals = _history(cap=6, n=6)
    assert len(h) == 6 and h.kept_bytes == 6 * 32
    s = h.steps[3]
    assert (s.index, s.name, s.time_s) == (3, "n3", 1.0)
    assert s.value is vals[3] and not s.owned and s.health.zeros == 3
    assert h.summary()["values_kept"] == 6


def test_values_are_let_go_oldest_first_with_their_zero_counts() -> None:
    h, _ = _history(cap=6, n=6)
    held = h.steps[1]  # a record made before its value is let go
    for k in range(6, 9):  # three more values: the three oldest go
        v = np.zeros(8, np.float32)
        h.add(Step(k, f"n{k}", "mul", "forward", known_finite_health(v), 0.0), v, stable=True)
    assert [s.value is None for s in h.steps[:4]] == [True, True, True, False]
    assert [s.health.zeros for s in h.steps[:3]] == [0, 1, 2]  # counted as they went
    assert held.value is None and held.health.zeros == 1
    assert h.kept_bytes == 6 * 32


def test_own_and_detach_copy_the_kept_values() -> None:
    h, vals = _history(cap=6, n=6)
    h.own(2)
    assert h.steps[2].owned and h.steps[2].value is not vals[2]
    h.detach()
    assert all(s.owned for s in h.steps) and h.kept_bytes == 6 * 32
    vals[4][:] = 7.0  # the run writes its memory again: the history's copies stay
    np.testing.assert_array_equal(h.steps[4].value, _values(6)[4])


def test_the_caps_say_from_which_new_value_on_all_are_kept() -> None:
    assert History(max_values=3).kept_from([8] * 5) == 2
    assert History(max_values=10, max_bytes=20).kept_from([8] * 5) == 3
    assert History(max_values=0).kept_from([8] * 5) == 5
    h, _ = _history(cap=6, n=2)
    assert h.kept_from([8]) is None  # values kept now: adding lets them go one by one


def test_a_truncate_drops_values_and_keeps_the_rest() -> None:
    h, _ = _history(cap=6, n=6)
    h.truncate(4)
    assert len(h) == 4 and h.kept_bytes == 4 * 32
    assert [s.health.zeros for s in h.steps] == [0, 1, 2, 3]
    h.truncate(0)
    assert len(h) == 0 and h.kept_bytes == 0 and h.summary()["values_kept"] == 0
