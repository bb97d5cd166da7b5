"""A bounded slice of onnx's own node test cases (every third case of the op types vizflow
converts, ~280 cases): no wrong values, mostly native; the benchmark runs all ~1,900."""

from __future__ import annotations

from collections import Counter

import pytest

from vizflow_engine.onnx.conformance import node_cases, op_type_of, run_case
from vizflow_engine.onnx.import_ops import CONVERTERS

pytest.importorskip("onnx")

# core op types whose cases take no shape or axes as a run-time input (Reshape's do: fallback)
CORE = {"Conv", "Relu", "MaxPool", "Gemm", "Softmax", "MatMul", "Add", "Concat", "Transpose"}


@pytest.mark.filterwarnings("ignore")
def test_converted_op_types_agree_with_onnx_on_a_slice_of_its_cases() -> None:
    cases = sorted(
        (c for c in node_cases() if op_type_of(c) in CONVERTERS and "_expanded" not in c.name),
        key=lambda c: c.name,
    )[::3]
    results = [run_case(c) for c in cases]
    counts = Counter(r.status for r in results)
    wrong = [(r.name, r.detail) for r in results if r.status == "mismatch"]
    assert not wrong, wrong
    assert 250 <= len(results) <= 320
    assert counts["native"] >= 0.6 * len(results), counts
    sampled = CORE & {r.op_type for r in results}
    assert len(sampled) >= 6, sampled
    assert sampled <= {r.op_type for r in results if r.status == "native"}
    broken = [(r.name, r.detail) for r in results if r.status == "error"]
    assert all("unknown dims" in d or "Issues with types" in d for _, d in broken), broken
