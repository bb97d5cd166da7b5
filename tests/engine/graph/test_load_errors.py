"""Loading refuses every kind of broken graph file with one GraphFormatError (path: reason)."""

from __future__ import annotations

import copy
import io
import json
import re
import struct
import zipfile
from typing import Any

import numpy as np
import pytest

import vizflow as vfz
import vizflow_engine as vf
from vizflow_engine.graph import PASSES, Graph, GraphFormatError
from vizflow_engine.graph.graph_ops import GRAPH_OPS
from vizflow_engine.graph.limits import MAX_DEPTH, MAX_ELEMENTS
from vizflow_engine.graph.serialize import arrays_of
from vizflow_engine.registry import all_ops, param_kind


def _graph() -> Graph:
    """x @ W summed over axis 1, a getitem of it, and an update of W."""
    g = Graph("small")
    x = g.placeholder("x", (2, 3), "float64")
    w = g.variable("W", np.ones((3, 4)))
    y = x @ w
    s = vf.sum(y, axis=1, keepdims=True)
    g.output(s[0:1, 0] * 2.0)
    g.assign(w, w * 0.5)
    return g


def _doc() -> dict[str, Any]:
    return _graph().to_json()


def _node(doc: dict[str, Any], op: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["op"] == op)


def refuse(doc: Any, path: str, reason: str, arrays: Any = None) -> GraphFormatError:
    """Loading doc fails with a GraphFormatError at `path` whose reason matches `reason`."""
    arrays = arrays_of(_graph()) if arrays is None else arrays
    with pytest.raises(GraphFormatError) as err:
        Graph.from_json(doc, arrays)
    e = err.value
    assert e.path == path, str(e)
    assert re.search(reason, e.reason), str(e)
    assert str(e) == f"{e.path}: {e.reason}" and "\n" not in str(e) and len(str(e)) < 600
    return e


def test_the_base_document_loads_and_the_error_is_exported():
    g = Graph.from_json(_doc(), arrays_of(_graph()))
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(g(xv)[0], _graph()(xv)[0])
    assert vf.GraphFormatError is vfz.GraphFormatError is GraphFormatError
    assert issubclass(GraphFormatError, vf.VizflowError) and issubclass(
        GraphFormatError, ValueError
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "JSON object, not a list"),
        ("3", "JSON object, not int"),
        ("null", "JSON object, not NoneType"),
        ('"graph"', "JSON object, not str"),
        ("{", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        ('{"format": 1, "format": 2}', "the key 'format' twice"),
        ('{"x": NaN}', "NaN is not JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("1" * 5000, "not valid JSON"),
    ],
)
def test_text_that_is_not_a_graph_object(text, reason):
    refuse(text, "$", reason)


def test_format_version_and_missing_or_unknown_fields():
    d = _doc()
    d["format"] = "onnx"
    refuse(d, "$.format", "not a vizflow graph file")
    d = _doc()
    d["version"] = 99
    refuse(d, "$.version", "version 99 is not supported")
    d = _doc()
    del d["nodes"]
    refuse(d, "$", "missing field 'nodes'")
    d = _doc()
    del d["nodes"][0]["op"]
    refuse(d, "$.nodes[0]", "missing field 'op'")
    d = _doc()
    d["nodes"][1]["bogus"] = 1
    refuse(d, "$.nodes[1].bogus", "unknown field")
    d = _doc()
    d["values"][0]["shape"] = "2x3"
    refuse(d, "$.values[0].shape", "must be array, not string")


def test_references_to_undefined_later_or_own_values():
    d = _doc()
    d["nodes"][0]["inputs"][0] = {"value": "nope"}
    refuse(d, "$.nodes[0].inputs[0].value", "'nope', which the graph does not define")
    d = _doc()
    d["nodes"][0], d["nodes"][1] = d["nodes"][1], d["nodes"][0]  # sum before the matmul it reads
    refuse(d, "$.nodes[0].inputs[0].value", r"defined later at \$\.nodes\[1\]: a cycle")
    d = _doc()
    d["nodes"][1]["inputs"][0] = {"value": d["nodes"][1]["name"]}
    refuse(d, "$.nodes[1].inputs[0].value", "reads its own output \\(a self-loop\\)")
    d = _doc()
    d["outputs"] = ["ghost"]
    refuse(d, "$.outputs[0]", "does not define")
    d = _doc()
    d["nodes"][1]["forward_of"] = d["nodes"][2]["name"]
    refuse(d, "$.nodes[1].forward_of", "not a node defined before this one")


def test_a_cycle_of_two_nodes():
    d = _doc()
    a, b = d["nodes"][0], d["nodes"][1]
    a["inputs"][1] = {"value": b["name"]}  # matmul reads sum, sum reads matmul
    refuse(d, "$.nodes[0].inputs[1].value", "defined later")


def test_duplicate_names():
    d = _doc()
    d["nodes"][0]["name"] = "x"
    refuse(d, "$.nodes[0].name", r"'x' is used twice \(also \$\.values\[0\]\)")
    d = _doc()
    d["nodes"][1]["name"] = d["nodes"][0]["name"]
    refuse(d, "$.nodes[1].name", "used twice")


@pytest.mark.parametrize(
    ("dim", "path", "reason"),
    [
        (-1, "$.values[0].shape[0]", "at least 0"),
        (True, "$.values[0].shape[0]", "must be integer or null or string; not true"),
        (2.5, "$.values[0].shape[0]", "not 2.5"),
        (2**41, "$.values[0].shape[0]", "at most 1099511627776"),
        ("", "$.values[0].shape[0]", "at least 1 characters"),
    ],
)
def test_bad_dims(dim, path, reason):
    d = _doc()
    d["values"][0]["shape"][0] = dim
    refuse(d, path, reason)


def test_absurd_element_counts_are_refused_with_the_cap():
    d = _doc()
    d["values"][0]["shape"] = [2**20, 2**21]
    e = refuse(d, "$.values[0].shape", "2199023255552 elements; at most 1099511627776")
    assert str(MAX_ELEMENTS) in str(e)
    d = _doc()
    d["nodes"][0]["output"]["shape"] = [2**30, 2**30, 4]
    refuse(d, "$.nodes[0].output.shape", "elements; at most 1099511627776")
    d = _doc()
    d["values"][0]["shape"] = list(range(1, 66))
    refuse(d, "$.values[0].shape", "has 65 entries; at most 64")


def test_wrong_arity_unknown_and_missing_params():
    d = _doc()
    del _node(d, "matmul")["inputs"][1]
    refuse(d, "$.nodes[0].inputs", r"matmul takes 2 input\(s\) \(a, b\), not 1")
    d = _doc()
    _node(d, "sum")["params"]["bogus"] = 1
    refuse(
        d, "$.nodes[1].params.bogus", "sum has no param 'bogus' \\(its params: axis, keepdims\\)"
    )
    d = _doc()
    del _node(d, "getitem")["params"]["index"]
    refuse(d, "$.nodes[2].params", "getitem needs param 'index'")


@pytest.mark.parametrize(
    ("param", "value", "reason"),
    [
        ("keepdims", 1, "must be true or false, not int 1"),
        ("axis", 5, r"axis of a rank-2 input in \[-3, 2\], not 5"),
        ("axis", True, "must be an axis of a rank-2 input, not bool True"),
        ("axis", {"tuple": [0, "1"]}, "not str '1'"),
        ("axis", [0, 1], "not list"),
        ("axis", {"dtype": "float32"}, "not dtype"),
    ],
)
def test_param_kinds(param, value, reason):
    d = _doc()
    _node(d, "sum")["params"][param] = value
    path = f"$.nodes[1].params.{param}" + (
        ".tuple[1]" if isinstance(value, dict) and "tuple" in value else ""
    )
    refuse(d, path, reason)


def test_index_params():
    d = _doc()
    index = _node(d, "getitem")["params"]["index"]
    index["tuple"][0] = {"slice": [0.5, 1, None]}
    refuse(d, "$.nodes[2].params.index.tuple[0].slice[0]", "slice bound")
    d = _doc()
    _node(d, "getitem")["params"]["index"]["tuple"][0] = {"slice": [None, None, 0]}
    refuse(d, "$.nodes[2].params.index.tuple[0].slice[2]", "step cannot be zero")
    d = _doc()
    _node(d, "getitem")["params"]["index"]["tuple"][0] = "{0.__class__}"
    refuse(d, "$.nodes[2].params.index.tuple[0]", "the only string in an index is '<input>'")
    d = _doc()
    _node(d, "getitem")["params"]["index"]["tuple"][0] = "<input>"
    refuse(d, "$.nodes[2].params.index", "1 '<input>' markers but the node has 0 index inputs")


def test_dtype_and_device_allow_lists():
    d = _doc()
    d["values"][0]["dtype"] = "object"
    refuse(d, "$.values[0].dtype", 'must be one of "bool"')
    d = _doc()
    d["values"][0]["device"] = "__import__('os')"
    refuse(d, "$.values[0].device", "does not match")
    d = _doc()
    d["values"][0]["dtype"] = "int64"
    d["values"][0]["requires_grad"] = True
    refuse(d, "$.values[0].requires_grad", "only floating values can require grad")


def test_update_targets_must_be_variables():
    d = _doc()
    d["updates"][0][0] = "x"
    refuse(d, "$.updates[0][0]", "update target 'x' is not a variable")
    d = _doc()
    d["updates"][0] = ["W"]
    refuse(d, "$.updates[0]", "has 1 entries; at least 2")


def test_deep_nesting_never_recurses():
    d = _doc()
    deep: Any = 0
    for _ in range(MAX_DEPTH + 5):
        deep = {"tuple": [deep]}
    _node(d, "sum")["params"]["axis"] = deep
    with pytest.raises(GraphFormatError, match=f"nested more than {MAX_DEPTH} levels deep"):
        Graph.from_json(d, arrays_of(_graph()))
    text = json.dumps(_doc()).replace(
        '"keepdims": true', '"keepdims": ' + "[" * 50_000 + "]" * 50_000
    )
    refuse(text, "$", "nested too deeply")


def test_unknown_ops_get_close_matches_not_the_op_list():
    d = _doc()
    _node(d, "matmul")["op"] = "matmull"
    e = refuse(d, "$.nodes[0].op", "unknown op 'matmull'; did you mean 'matmul'")
    assert len(str(e)) < 120
    d = _doc()
    _node(d, "matmul")["op"] = "__import__('os').system('true')"
    e = refuse(d, "$.nodes[0].op", "unknown op")
    assert len(str(e)) < 160 and "relu" not in str(e)


def test_long_strings_and_too_many_entries():
    d = _doc()
    d["values"][0]["name"] = "x" * 5000
    refuse(d, "$.values[0].name", "5000 characters long; at most 1000")
    d = _doc()
    _node(d, "matmul")["inputs"] = [{"value": "x"}] * 100_001
    refuse(d, "$.nodes[0].inputs", "at most 100000")


def test_literals_and_verifier_findings():
    d = _doc()
    mul = _node(d, "mul")
    mul["inputs"][1] = {"literal": 2**70}
    refuse(d, "$.nodes[3].inputs[1].literal", "does not fit int64")
    d = _doc()
    _node(d, "mul")["inputs"][1] = {"literal": {"tuple": [1, 2]}}
    refuse(d, "$.nodes[3].inputs[1].literal", "a literal input is a number or true")
    d = _doc()
    _node(d, "matmul")["output"]["shape"] = [3, 4]
    refuse(d, "$.nodes[0]", r"output shape \(3, 4\) but matmul gives \(2, 4\)")
    d = _doc()
    _node(d, "sum")["params"]["axis"] = 2
    refuse(d, "$.nodes[1]", "sum rejects input shapes")


def test_fused_programs_run_elementwise_ops_only():
    g = Graph()
    x = g.placeholder("x", (2, 3), "float64")
    g.output(vf.exp(vf.sin(x) * 2.0))
    fused = PASSES["fuse_elementwise"](g)
    d = fused.to_json()
    assert d["nodes"][0]["op"] == "fused"
    Graph.from_json(d)  # the program as saved loads
    steps = d["nodes"][0]["params"]["program"]["tuple"]
    steps[0]["tuple"][0] = "randint"
    refuse(d, "$.nodes[0].params.program.tuple[0].tuple[0]", "not an elementwise op", {})
    d = fused.to_json()
    d["nodes"][0]["params"]["program"]["tuple"][0]["tuple"][2] = {"tuple": [{"tuple": ["in", 5]}]}
    refuse(d, "$.nodes[0].params.program.tuple[0].tuple[2].tuple[0].tuple[1]", "below 1", {})


def test_every_op_param_has_a_declared_kind():
    for op in [*all_ops(), *GRAPH_OPS.values()]:
        for name in op.param_names:
            assert param_kind(op.name, name) is not None, f"{op.name}.{name}"


# ---- the .npz side-car ------------------------------------------------------------------------


def _save(tmp_path, arrays: dict[str, Any]) -> str:
    path = tmp_path / "a.npz"
    np.savez(path, **arrays)
    return str(path)


def test_npz_keys_shapes_and_dtypes_are_checked(tmp_path):
    d = _doc()
    good = arrays_of(_graph())
    Graph.from_json(d, _save(tmp_path, good))
    refuse(
        d,
        "$",
        "holds 1 array\\(s\\) the graph does not name: 'extra'",
        _save(tmp_path, {**good, "extra": np.ones(1)}),
    )
    refuse(d, "$.values[1].array", "needs the values of variable 'W'", _save(tmp_path, {}))
    bad = {"value/W": np.ones((4, 3))}
    refuse(
        d,
        "$.values[1].array",
        r"has shape \(4, 3\), but the graph says \(3, 4\)",
        _save(tmp_path, bad),
    )
    bad = {"value/W": np.ones((3, 4), np.float32)}
    refuse(
        d,
        "$.values[1].array",
        "has dtype float32, but the graph says float64",
        _save(tmp_path, bad),
    )
    bad = {"value/W": np.array(["a"] * 12).reshape(3, 4)}
    refuse(d, "$.values[1].array", "has dtype <U1", _save(tmp_path, bad))


def test_npz_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(path, **{"value/W": np.array([{"evil": 1}] * 12, dtype=object).reshape(3, 4)})
    refuse(
        _doc(), "$.values[1].array", "Python objects, which would need pickle: refused", str(path)
    )


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def test_npz_headers_claiming_too_many_bytes_are_refused_unread(tmp_path):
    doc = _doc()
    doc["values"][1]["shape"] = [2**20, 2**20]  # within the element cap; 8 TiB of float64
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("value/W.npy", _npy_header((2**20, 2**20)))
    path = tmp_path / "big.npz"
    path.write_bytes(buf.getvalue())
    # the update's node output still says (3, 4): the header is refused before that is seen
    refuse(doc, "$.values[1].array", "claims 8796093022208 bytes; at most 17179869184", str(path))


def test_npz_truncated_data_is_refused_before_reading(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("value/W.npy", _npy_header((3, 4)) + b"\0" * 8)
    path = tmp_path / "short.npz"
    path.write_bytes(buf.getvalue())
    refuse(_doc(), "$.values[1].array", "holds 8 data bytes", str(path))
    path.write_bytes(b"PK not a zip")
    refuse(_doc(), "$", "not a readable .npz", str(path))


def test_save_and_load_files(tmp_path):
    g = _graph()
    g.save(str(tmp_path / "g"))
    back = Graph.load(str(tmp_path / "g"))
    assert json.dumps(back.to_json()) == json.dumps(g.to_json())
    (tmp_path / "g.json").write_text("[1, 2]")
    with pytest.raises(GraphFormatError, match=r"^\$: a graph file is a JSON object"):
        Graph.load(str(tmp_path / "g"))
    with pytest.raises(GraphFormatError, match="cannot read"):
        Graph.load(str(tmp_path / "missing"))


def test_a_refused_load_changes_nothing_and_raises_nothing_else():
    d = _doc()
    before = copy.deepcopy(d)
    _node(d, "sum")["params"]["axis"] = 9
    with pytest.raises(GraphFormatError):
        Graph.from_json(d, arrays_of(_graph()))
    _node(d, "sum")["params"]["axis"] = 1
    assert d == before


@pytest.mark.parametrize(
    ("op", "shapes", "params", "reason"),
    [
        ("cross_entropy", [(2, 3), (5,)], {}, "2 rows of logits but 5 targets"),
        ("cross_entropy_grad", [(2, 3), (2,), (2,)], {}, r"g has shape \(2,\), expected \(\)"),
        ("max_pool2d_grad", [(1, 1, 4, 4), (1, 1, 4, 4)], {"kernel_size": (2, 2)}, "expected"),
        ("max_pool2d_select", [(1, 1, 4, 4), (1, 1, 2, 2)], {"kernel_size": (2, 2)}, "u has"),
        ("conv2d_weight", [(1, 1, 4, 4), (1, 2, 3, 3)], {"kernel_size": (3, 3)}, "expected"),
        ("adam_update_", [(3,), (3,), (4,), (3,), (), ()], {}, "optimiser state"),
        ("sgd_update_", [(3,), (3,), (3,)], {}, "step and lr must be 0-d"),
    ],
)
def test_rules_refuse_inputs_their_kernels_cannot_index(op, shapes, params, reason):
    """A graph file can wire any value to a gradient or update op: the shape rule (and so the
    loader's verifier) must refuse what the kernel would fail on at run time."""
    from vizflow_engine.errors import ShapeError
    from vizflow_engine.registry import get_op

    g = Graph()
    ins = [
        g.placeholder(f"i{k}", s, "int64" if op.startswith("cross") and k == 1 else "float32")
        for k, s in enumerate(shapes)
    ]
    with pytest.raises(ShapeError, match=reason):
        g.apply(get_op(op), tuple(ins), {**get_op(op).defaults(), **params})


def test_a_dict_document_holds_json_values_only():
    d = _doc()
    _node(d, "sum")["params"]["axis"] = (1,)
    refuse(d, "$.nodes[1].params.axis", "a tuple is not JSON")
    d = _doc()
    d["values"][0]["shape"][0] = np.int64(2)
    refuse(d, "$.values[0].shape[0]", "a int64 is not JSON")
    d = _doc()
    _node(d, "sum")["params"][1] = 1
    refuse(d, "$.nodes[1].params[1]", "the key 1 is not JSON")


def test_an_open_npzfile_is_checked_like_a_path(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(path, **{"value/W": np.array([{"evil": 1}] * 12, dtype=object).reshape(3, 4)})
    with np.load(path) as npz:
        refuse(_doc(), "$.values[1].array", "would need pickle", npz)
    np.savez(path, **arrays_of(_graph()))
    with np.load(path) as npz:
        Graph.from_json(_doc(), npz)


def test_a_node_output_stays_on_its_inputs_device():
    d = _doc()
    d["nodes"][2]["output"]["device"] = "cpu"
    Graph.from_json(d, arrays_of(_graph()))
    g = Graph()
    x = g.placeholder("x", (2,), "float32")
    g.output(vf.exp(x))
    doc = g.to_json()
    doc["nodes"][0]["output"]["device"] = "cuda"
    with pytest.raises(GraphFormatError, match=r"^\$\.nodes\[0\]\.output\.device: "):
        Graph.from_json(doc)  # no GPU: the device is refused; with one: it is not exp's
