"""Loading a graph file: parse → schema → arrays → decode with every reference checked →
params → verifier → Graph. Anything wrong is one GraphFormatError (JSON path + reason);
nothing in a file is run, and no other exception type leaves a load.
"""

from __future__ import annotations

import functools
import io
import math
import os
from typing import Any

import numpy as np

from ..backend import get_device
from ..errors import DeviceError
from ..node import Node, SourceLocation
from ..registry import TensorSpec
from ..scope import ScopePath, typed_scope
from .errors import GraphError, GraphFormatError
from .ir import Graph, Value
from .limits import MAX_ELEMENTS, MAX_FILE_BYTES, MAX_INT
from .npz_read import Want, check_arrays, read_npz
from .param_check import Context, check_params, known_op
from .schema_check import ROOT, Check, check_depth, compile_schema, member, parse
from .serialize import FORMAT, VERSION, schema
from .verify import verify


@functools.cache
def _validator() -> Check:
    """graph.schema.json compiled once."""
    return compile_schema(schema())


def load_files(json_path: str, npz_path: str) -> Graph:
    """Read a graph from its .json file and its .npz side-car."""
    try:
        size = os.path.getsize(json_path)
        if size > MAX_FILE_BYTES:
            raise GraphFormatError(
                "$", f"{json_path!r} is {size} bytes; at most {MAX_FILE_BYTES} are allowed"
            )
        with open(json_path, "rb") as f:
            text = f.read()
    except OSError as exc:
        raise GraphFormatError("$", f"cannot read {json_path!r}: {exc.strerror}") from None
    return load_document(text, npz_path)


def load_document(doc: Any, arrays: Any = None) -> Graph:
    """The Graph a document (JSON text or parsed) describes, checked whole; arrays: from_json's."""
    if isinstance(doc, (str, bytes)):
        doc = parse(doc)
    check_document(doc)
    wants = _wanted_arrays(doc)
    if isinstance(arrays, (str, os.PathLike, np.lib.npyio.NpzFile, io.IOBase)):
        data = read_npz(arrays, wants)
    else:
        data = check_arrays(arrays if arrays is not None else {}, wants)
    return _Decoder(doc, data).graph()


def check_document(doc: Any) -> None:
    """Refuse a document that is not an object of this format and version, or breaks the schema."""
    if not isinstance(doc, dict):
        kind = "a list" if isinstance(doc, list) else type(doc).__name__
        raise GraphFormatError("$", f"a graph file is a JSON object, not {kind}")
    if doc.get("format") != FORMAT:
        raise GraphFormatError(
            "$.format", f"not a vizflow graph file (format {str(doc.get('format'))[:40]!r})"
        )
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise GraphFormatError(
            "$.version",
            f"graph file version {str(doc.get('version'))[:20]} is not supported (this vizflow "
            f"reads version {VERSION})",
        )
    check_depth(doc)
    _validator()(doc, ROOT)


def _wanted_arrays(doc: dict[str, Any]) -> dict[str, Want]:
    """Every array key the document names, with the shape and dtype it declares (values)."""
    wants: dict[str, Want] = {}
    for i, d in enumerate(doc["values"]):
        path = f"$.values[{i}]"
        if (d["kind"] == "input") == ("array" in d):
            need = "has no array" if d["kind"] == "input" else "needs an 'array' key"
            raise GraphFormatError(path, f"a {d['kind']} {need}")
        if "array" in d:
            shape = d["shape"]
            if not all(type(x) is int for x in shape):
                raise GraphFormatError(f"{path}.shape", f"a {d['kind']}'s dims must all be known")
            _claim(
                wants,
                d["array"],
                Want(f"{path}.array", tuple(shape), d["dtype"], f"{d['kind']} {d['name'][:60]!r}"),
            )
    for i, n in enumerate(doc["nodes"]):
        path = f"$.nodes[{i}]"
        for k, p in n["params"].items():
            _encoded_keys(p, member(f"{path}.params", k), wants)
        for j, x in enumerate(n["inputs"]):
            if "literal" in x:
                _encoded_keys(x["literal"], f"{path}.inputs[{j}].literal", wants)
    return wants


def _claim(wants: dict[str, Want], key: str, want: Want) -> None:
    if key in wants:
        raise GraphFormatError(want.path, f"array key {key[:60]!r} is used twice")
    wants[key] = want


def _encoded_keys(v: Any, path: str, wants: dict[str, Want]) -> None:
    """The array keys inside an encoded param or literal (depth is bounded by check_depth)."""
    if isinstance(v, list):
        for i, x in enumerate(v):
            _encoded_keys(x, f"{path}[{i}]", wants)
    elif isinstance(v, dict):
        ((tag, body),) = v.items()
        if tag == "array":
            _claim(wants, body, Want(f"{path}.array", None, None, "parameter array"))
        elif tag in ("tuple", "slice"):
            _encoded_keys(body, f"{path}.{tag}", wants)
        elif tag == "dict":
            for k, x in body.items():
                _encoded_keys(x, member(f"{path}.dict", k), wants)


def _elements(shape: list[Any], path: str) -> None:
    n = math.prod(d for d in shape if isinstance(d, int))
    if n > MAX_ELEMENTS:
        raise GraphFormatError(
            path, f"has {n} elements; at most {MAX_ELEMENTS} (2**40) are allowed"
        )


class _Decoder:
    """Builds the Graph from a schema-valid document, checking what the schema cannot say."""

    def __init__(self, doc: dict[str, Any], arrays: dict[str, Any]) -> None:
        self.doc = doc
        self.arrays = arrays
        self.g = Graph(doc["name"])
        self.by_name: dict[str, Value] = {}
        self.where: dict[str, str] = {}  # every name -> the path that defines it
        self.nodes: dict[str, Node] = {}
        self.types: dict[str, str] = doc.get("scope_types", {})  # scope path -> module class
        self.typed: dict[str, ScopePath] = {}  # scope paths made with their types

    def graph(self) -> Graph:
        self._names()
        for i, d in enumerate(self.doc["values"]):
            self._leaf(d, f"$.values[{i}]")
        for i, d in enumerate(self.doc["nodes"]):
            self._node(d, f"$.nodes[{i}]")
        self._check_scope_types()
        g = self.g
        g.outputs = [self._ref(n, f"$.outputs[{k}]") for k, n in enumerate(self.doc["outputs"])]
        for k, (a, b) in enumerate(self.doc["updates"]):
            var = self._ref(a, f"$.updates[{k}][0]")
            if var.kind != "variable":
                raise GraphFormatError(
                    f"$.updates[{k}][0]", f"update target {a[:60]!r} is not a variable"
                )
            g.updates.append((var, self._ref(b, f"$.updates[{k}][1]")))
        try:
            return verify(g)
        except GraphError as exc:
            reason = exc.reason.splitlines()[0] if exc.reason else "rejected by the verifier"
            reason = reason if len(reason) <= 300 else reason[:297] + "..."
            raise GraphFormatError(self.where.get(exc.node, "$"), reason) from None

    def _check_scope_types(self) -> None:
        """Refuse a module class named for a path that is no node's scope nor encloses one."""
        for path in self.types:
            if path not in self.typed:  # every node's scope and enclosing path is there
                raise GraphFormatError(
                    member("$.scope_types", path),
                    f"{path[:60]!r} is not the scope of any node, nor encloses one",
                )

    def _names(self) -> None:
        """Record where each name is defined; a name defined twice is refused."""
        for part in ("values", "nodes"):
            for i, d in enumerate(self.doc[part]):
                path = f"$.{part}[{i}]"
                first = self.where.setdefault(d["name"], path)
                if first != path:
                    raise GraphFormatError(
                        f"{path}.name", f"name {d['name'][:60]!r} is used twice (also {first})"
                    )

    def _ref(self, name: str, path: str) -> Value:
        """The value called `name`, which must be defined before `path` refers to it."""
        v = self.by_name.get(name)
        if v is not None:
            return v
        shown = name[:60]
        if name not in self.where:
            raise GraphFormatError(path, f"refers to {shown!r}, which the graph does not define")
        if path.startswith(self.where[name] + "."):
            raise GraphFormatError(path, f"node {shown!r} reads its own output (a self-loop)")
        raise GraphFormatError(
            path,
            f"refers to {shown!r}, defined later at {self.where[name]}: a cycle, or nodes out "
            "of order (a node may only read values defined before it)",
        )

    def _device(self, name: str, path: str) -> Any:
        try:
            return get_device(name)
        except DeviceError as exc:
            raise GraphFormatError(path, str(exc).splitlines()[0]) from None

    def _type(self, d: dict[str, Any], path: str) -> tuple[tuple[Any, ...], np.dtype[Any]]:
        _elements(d["shape"], f"{path}.shape")
        dtype = np.dtype(d["dtype"])
        if d["requires_grad"] and dtype.kind != "f":
            raise GraphFormatError(
                f"{path}.requires_grad", f"only floating values can require grad, not {dtype}"
            )
        return tuple(d["shape"]), dtype

    def _leaf(self, d: dict[str, Any], path: str) -> None:
        g = self.g
        shape, dtype = self._type(d, path)
        dev = self._device(d["device"], f"{path}.device")
        if d["kind"] == "input":
            v = g.placeholder(d["name"], shape, dtype, dev)
        elif d["kind"] == "variable":
            v = g.variable(d["name"], np.array(self.arrays[d["array"]]), d["requires_grad"])
        else:
            v = g.constant(np.asarray(self.arrays[d["array"]]), d["name"])
        if v.device is not dev:
            raise GraphFormatError(f"{path}.device", "variables and constants load on the cpu")
        v.requires_grad = d["requires_grad"]
        self.by_name[d["name"]] = v

    def _node(self, d: dict[str, Any], path: str) -> None:
        op = known_op(d["op"], f"{path}.op")
        params = {k: self._decode(p, member(f"{path}.params", k)) for k, p in d["params"].items()}
        # kernels take every param by name: one left out gets its declared default
        params = {**{k: v for k, v in op.defaults().items() if k not in params}, **params}
        ins: list[Any] = []
        for j, x in enumerate(d["inputs"]):
            where = f"{path}.inputs[{j}]"
            if "value" in x:
                ins.append(self._ref(x["value"], f"{where}.value"))
            else:
                ins.append(self._literal(x["literal"], f"{where}.literal"))
        if not op.variadic and len(ins) != len(op.inputs):
            raise GraphFormatError(
                f"{path}.inputs",
                f"{op.name} takes {len(op.inputs)} input(s) ({', '.join(op.inputs)}), "
                f"not {len(ins)}",
            )
        ranks = [len(x.shape) if isinstance(x, Value) else 0 for x in ins]
        check_params(op, params, Context(op, ranks, len(ins)), f"{path}.params")
        shape, dtype = self._type(d["output"], f"{path}.output")
        dev = self._device(d["output"]["device"], f"{path}.output.device")
        # as Graph.apply places a node: on its first value input's device, unless it moves
        want = params.get("device", next((x.device for x in ins if isinstance(x, Value)), dev))
        if dev is not want:
            raise GraphFormatError(
                f"{path}.output.device", f"{dev.name}, but this node runs on {want.name}"
            )
        fwd = None
        if d["forward_of"] is not None:
            fwd = self.nodes.get(d["forward_of"])
            if fwd is None:
                raise GraphFormatError(
                    f"{path}.forward_of",
                    f"{d['forward_of'][:60]!r} is not a node defined before this one",
                )
        s = d["source"]
        src = (
            None
            if s is None
            else SourceLocation(s["file"], s["line"], s["function"], s.get("cell_id"))
        )
        v = self.g.add_node(
            op, params, tuple(ins), TensorSpec(shape, dtype), dev, d["name"], self._scope(d),
            d["phase"], fwd, src,
        )  # fmt: skip
        v.requires_grad = d["output"]["requires_grad"]
        self.by_name[d["name"]] = v
        self.nodes[d["name"]] = self.g.nodes[-1]

    def _scope(self, d: dict[str, Any]) -> str:
        """A node's scope, with the module class names the file gives its paths."""
        path: str = d["scope"]
        return typed_scope(path, self.types, self.typed) if self.types else path

    def _literal(self, v: Any, path: str) -> Any:
        x = self._decode(v, path)
        if type(x) is int and abs(x) > MAX_INT:
            raise GraphFormatError(path, f"integer literal {x} does not fit int64")
        if type(x) not in (bool, int, float):  # no op takes null (or anything else) as input
            raise GraphFormatError(path, "a literal input is a number or true/false")
        return x

    def _decode(self, v: Any, path: str) -> Any:
        """An encoded param or literal as Python objects (the schema has checked its form)."""
        if isinstance(v, list):
            return [self._decode(x, f"{path}[{i}]") for i, x in enumerate(v)]
        if not isinstance(v, dict):
            return v
        ((tag, body),) = v.items()
        where = f"{path}.{tag}"
        if tag == "tuple":
            return tuple(self._decode(x, f"{where}[{i}]") for i, x in enumerate(body))
        if tag == "float":
            return float(body)
        if tag == "dtype":
            return np.dtype(body)
        if tag == "slice":
            return slice(*(self._decode(x, f"{where}[{i}]") for i, x in enumerate(body)))
        if tag == "ellipsis":
            return Ellipsis
        if tag == "device":
            return self._device(body, where)
        if tag == "dict":
            return {k: self._decode(x, member(where, k)) for k, x in body.items()}
        return np.asarray(self.arrays[body])  # "array": its key was checked against the npz
