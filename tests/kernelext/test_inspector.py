"""Inspector replies: statistics, histogram and heatmap buffers, errors; display bundle."""

from __future__ import annotations

import shutil
import warnings
from typing import Any

import numpy as np
import pytest

import vizflow as vf
from tests.kernelext.widget_fuzz import comm_message, recording_comms
from vizflow_kernelext.protocol import validate_message
from vizflow_kernelext.summaries import HEATMAP_MAX_SIDE, HISTOGRAM_BINS, summarize
from vizflow_kernelext.svg_fallback import (
    MAX_FALLBACK_BOXES,
    collapse_scopes,
    payload_to_dot,
    render_svg,
)
from vizflow_kernelext.widgets.graph_viewer import MIME_TYPE


def _known_viewer() -> tuple[vf.GraphViewer, dict[str, str]]:
    known = vf.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="known")
    out = (known * 2.0).sum()
    out.backward()
    viewer = vf.show(out)
    ids = {node["name"] or node["op"]: node["id"] for node in viewer.nodes}
    return viewer, ids


def test_summary_statistics_of_a_known_tensor() -> None:
    buffers: list[bytes] = []
    summary = summarize(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32), buffers)
    assert (summary["min"], summary["max"], summary["mean"]) == (1.0, 4.0, 2.5)
    assert summary["std"] == pytest.approx(np.std([1, 2, 3, 4]))
    assert summary["shape"] == [2, 2] and summary["numel"] == 4
    counts = np.frombuffer(buffers[summary["histogram"]["buffer"]], dtype=np.float64)
    assert counts.shape == (HISTOGRAM_BINS,) and counts.sum() == 4
    heat = summary["heatmap"]
    pixels = np.frombuffer(buffers[heat["buffer"]], dtype=np.float32).reshape(2, 2)
    np.testing.assert_array_equal(pixels, [[1, 2], [3, 4]])


def test_nan_and_inf_are_counted_and_left_out_of_statistics() -> None:
    buffers: list[bytes] = []
    summary = summarize(np.array([1.0, np.nan, np.inf, -np.inf, 3.0]), buffers)
    assert summary["nan_count"] == 1 and summary["inf_count"] == 2
    assert (summary["min"], summary["max"], summary["mean"]) == (1.0, 3.0, 2.0)
    all_nan = summarize(np.array([np.nan, np.nan]), buffers)
    assert all_nan["min"] is None and all_nan["histogram"] is None


def test_large_tensors_are_pooled_to_a_small_heatmap() -> None:
    buffers: list[bytes] = []
    summary = summarize(np.arange(1000 * 700, dtype=np.float32).reshape(1000, 700), buffers)
    heat = summary["heatmap"]
    assert heat["rows"] <= HEATMAP_MAX_SIDE and heat["cols"] <= HEATMAP_MAX_SIDE
    assert heat["source_shape"] == [1000, 700]
    assert sum(len(b) for b in buffers) < 100_000
    assert len(summary["preview"]) <= 400


def test_image_shaped_tensor_gets_an_image_heatmap() -> None:
    buffers: list[bytes] = []
    summary = summarize(np.random.default_rng(0).random((2, 3, 16, 16)), buffers)
    assert summary["heatmap"]["kind"] == "image"
    assert (summary["heatmap"]["rows"], summary["heatmap"]["cols"]) == (16, 16)


def test_inspect_reply_for_a_known_tensor_has_value_and_grad() -> None:
    viewer, ids = _known_viewer()
    body, buffers = viewer.inspect(ids["known"])
    validate_message("InspectReply", {"kind": "inspect_reply", "request_id": 7, **body})
    assert body["value"]["min"] == 1.0 and body["value"]["max"] == 4.0
    assert body["value"]["mean"] == 2.5
    assert body["grad"]["min"] == 2.0 and body["grad"]["max"] == 2.0
    assert len(buffers) == 4  # histogram + heatmap, for value and for grad


def test_inspect_unknown_node_is_an_error_reply() -> None:
    viewer, _ = _known_viewer()
    body, buffers = viewer.inspect("n999")
    assert body["error"] == "no node 'n999' in this graph" and buffers == []


def test_inspect_message_round_trip_through_the_widget() -> None:
    with recording_comms():
        viewer, ids = _known_viewer()
    request = {"kind": "inspect", "request_id": 3, "node_id": ids["known"]}
    viewer.comm.handle_msg(comm_message({"method": "custom", "content": request}))
    bad = {"kind": "inspect", "request_id": "x"}
    viewer.comm.handle_msg(comm_message({"method": "custom", "content": bad}))
    sent = [data["content"] for _, data, _ in viewer.comm.sent if data.get("method") == "custom"]
    assert sent[0]["request_id"] == 3 and sent[0]["value"]["max"] == 4.0
    assert sent[1]["kind"] == "error" and sent[1]["error"] and sent[1]["request_id"] is None


def test_display_bundle_carries_the_graph_for_kernel_less_rendering() -> None:
    viewer, _ = _known_viewer()
    bundle = viewer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    data = bundle[MIME_TYPE]
    validate_message("GraphMimeBundle", data)
    assert data["model_id"] == viewer.model_id and data["graph"] == viewer.graph
    assert bundle["text/plain"].startswith("<vizflow graph")


def test_dot_source_escapes_user_text() -> None:
    payload = vf.show(vf.tensor([1.0], requires_grad=True, name='a"b\\c') * 2.0).payload
    dot = payload_to_dot(payload)
    assert '\\"' in dot and 'a\\"b\\\\c' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is not installed")
def test_svg_fallback_renders_with_graphviz() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True, name="<img src=x onerror=alert(1)>")
    svg = render_svg(vf.show((x * 3.0).sum()).payload)
    assert svg is not None and svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<img" not in svg and "&lt;img" in svg


def _scoped_chain(blocks: int, per_block: int) -> dict[str, Any]:
    """A payload of `blocks` scopes `net/<i>`, each a chain of `per_block` ops."""
    nodes: list[dict[str, Any]] = [
        {"id": "x", "op": "placeholder", "name": "x", "shape": [2], "dtype": "float32", "scope": ""}
    ]
    edges = []
    for b in range(blocks):
        for k in range(per_block):
            nid = f"b{b}o{k}"
            nodes.append(
                {
                    "id": nid,
                    "op": "tanh",
                    "name": "",
                    "shape": [2],
                    "dtype": "float32",
                    "scope": f"net/{b}",
                }
            )
            edges.append({"source": nodes[-2]["id"], "target": nid})
    return {"nodes": nodes, "edges": edges}


def test_a_big_graph_folds_its_scopes_for_the_svg_fallback() -> None:
    """dot takes seconds past a few hundred boxes: big graphs are drawn with scopes folded."""
    big = _scoped_chain(blocks=60, per_block=20)  # 1,201 nodes
    folded = collapse_scopes(big, MAX_FALLBACK_BOXES)
    assert folded is not None
    assert [n["op"] for n in folded["nodes"][:2]] == ["placeholder", "net/0"]
    assert folded["nodes"][1]["name"] == "20 ops" and len(folded["nodes"]) == 61
    assert {"source": "net/0", "target": "net/1"} in folded["edges"]
    assert len(folded["edges"]) == 60  # the 19 edges inside each scope are gone
    assert collapse_scopes(_scoped_chain(blocks=1, per_block=10), 200) is not None
    flat = {"nodes": [{**n, "scope": ""} for n in big["nodes"]], "edges": big["edges"]}
    assert collapse_scopes(flat, MAX_FALLBACK_BOXES) is None  # nothing to fold: no SVG


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is not installed")
def test_svg_fallback_of_a_big_graph_draws_the_folded_scopes() -> None:
    svg = render_svg(_scoped_chain(blocks=60, per_block=20))
    assert svg is not None and "net/59" in svg and "20 ops" in svg
    assert "b0o3" not in svg  # the ops inside a scope are not drawn one by one


@pytest.mark.parametrize(
    "values",
    [[1.7e308, -1.7e308, 1.7e308], [1.797e308, 1.797e308], [1.0, 1.0 + 1e-15], [0.0, 1e-320]],
)
def test_summaries_of_extreme_values_have_finite_stats_and_a_histogram(values: list[float]) -> None:
    """Near float64's limits or a hair apart: no numpy error or warning, and every value binned."""
    buffers: list[bytes] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = summarize(np.array(values), buffers)
    assert np.isfinite([s["mean"], s["std"]]).all()
    assert s["min"] == min(values) and s["max"] == max(values)
    h = s["histogram"]
    assert h["lo"] <= min(values) and h["hi"] >= max(values)
    assert np.frombuffer(buffers[h["buffer"]]).sum() == len(values)
