"""Fuzzing the widgets' browser messages (fixed seed, a few seconds per widget type):
nothing escapes to the kernel, refused messages leave state unchanged, replies stay small
and quick. `benchmarks/fuzz_widget_messages.py` runs the same fuzzer longer."""

from __future__ import annotations

import pytest

from tests.kernelext.widget_fuzz import WIDGET_CASES, WidgetCase, run_fuzz

MESSAGES = 5000
SEED = 20261204


@pytest.mark.parametrize("case", WIDGET_CASES, ids=lambda case: case.name)
def test_random_and_mutated_messages_are_accepted_or_refused_cleanly(case: WidgetCase) -> None:
    counts = run_fuzz(case, MESSAGES, SEED)
    assert counts.other == 0, "\n".join(counts.failures)
    assert counts.tried == MESSAGES
    # The mix exercises both paths: valid messages get through, broken ones are refused.
    assert counts.rejected > MESSAGES // 2 and counts.accepted > MESSAGES // 10, counts.line()
    assert counts.slowest_s < 2.0 and counts.largest_notice <= 2048, counts.line()
