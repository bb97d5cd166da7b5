"""`vf.Editor`: the visual graph builder, driven from the browser or from Python.

    ed = vf.Editor()                      # empty
    ed = vf.Editor(graph)                 # any vf.Graph (traced, built, loaded)
    x = ed.placeholder("x", ("batch", 784))
    w = ed.variable("w1", (784, 64), init="xavier_uniform")
    h = ed.add("matmul", x, w)            # node names in, the new node's name out
    ed.graph, ed.to_code(), ed.save("model.vfg.json"), vf.Editor.open("model.vfg.json")

Python edits go through the same commands as the browser's (checked the same way), bump the
document's version and push it, so the UI follows; `ed.undo()` / `ed.redo()` step through
the Python edits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from vizflow_engine.debug import DebugSession
from vizflow_engine.editing import (
    Document,
    EditError,
    NodeRec,
    Step,
    apply_step,
    from_graph,
    open_file,
    run,
    save,
    to_code,
    to_graph,
)
from vizflow_engine.editing.params import HELD
from vizflow_engine.graph.ir import Graph
from vizflow_engine.graph.trace import trace
from vizflow_engine.tensor import Tensor
from vizflow_kernelext.editor.debug_bridge import debug_document
from vizflow_kernelext.editor.widget import EditorWidget

COLUMN, ROW = 240.0, 110.0


class _OpenFile:
    """`Editor.open(path)` opens a graph file; on an instance, `open()` stays the widget's
    own (ipywidgets calls it to open the comm)."""

    def __get__(self, obj: Any, cls: type[Editor]) -> Callable[..., Any]:
        if obj is not None:
            return EditorWidget.open.__get__(obj, cls)
        return lambda path: cls(open_file(path))


class Editor(EditorWidget):
    """A graph editor widget with a Python API; displays as the editor in JupyterLab."""

    def __init__(self, graph: Graph | Document | None = None, **kwargs: Any) -> None:
        doc = from_graph(graph) if isinstance(graph, Graph) else graph
        super().__init__(doc, **kwargs)
        self._undo: list[Step] = []
        self._redo: list[Step] = []

    # ---- constructors ------------------------------------------------------------------------
    open = _OpenFile()
    """Editor.open(path): an editor on a .vfg.json file (and its .npz); loading runs no code."""

    @classmethod
    def from_function(cls, fn: Callable[..., Any], *specs: Any) -> Editor:
        """An editor on fn traced for inputs described by specs (vf.spec, arrays, tensors)."""
        return cls(trace(fn, *specs))

    # ---- the graph ---------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The vf.Graph the editor holds now (EditError naming a node in error)."""
        return to_graph(self.doc)[0]

    def to_code(self) -> str:
        """Readable vizflow Python that rebuilds the graph as `g`."""
        return to_code(self.doc)

    def save(self, path: str) -> None:
        """Write the graph file (path should end in .vfg.json) and its .npz when needed."""
        save(self.doc, path)

    def replace(self, doc: Document) -> None:
        """Edit another document (a file opened in the browser): Python undo starts afresh."""
        super().replace(doc)
        self._undo.clear()
        self._redo.clear()

    # ---- edits -------------------------------------------------------------------------------
    def edit(self, commands: list[dict[str, Any]]) -> Step:
        """Apply EditorCommands as one undoable step and push the document."""
        step = apply_step(self.doc, commands)
        self._undo.append(step)
        self._redo.clear()
        self.push()
        return step

    def undo(self) -> None:
        """Undo the last Python edit."""
        if not self._undo:
            raise EditError("nothing to undo")
        step = self._undo.pop()
        again = apply_step(self.doc, step.inverse)
        self._redo.append(Step(again.inverse, step.redo, step.created))
        self.push()

    def redo(self) -> None:
        """Redo the last undone Python edit."""
        if not self._redo:
            raise EditError("nothing to redo")
        step = self._redo.pop()
        self._undo.append(apply_step(self.doc, step.redo))
        self.push()

    def _id(self, name: str) -> str:
        return self.doc.by_name(name).id

    def _place(self, inputs: tuple[str, ...]) -> dict[str, float]:
        """Right of the rightmost input, below what is already in that column."""
        xs = [self.doc.nodes[self._id(i)].x for i in inputs]
        x = max(xs) + COLUMN if xs else 0.0
        below = [n.y for n in self.doc.nodes.values() if abs(n.x - x) < COLUMN / 2]
        return {"x": x, "y": max(below) + ROW if below else 0.0}

    def _add(self, cmd: dict[str, Any], inputs: tuple[str, ...] = ()) -> str:
        cmd = {"position": self._place(inputs), **cmd}
        commands = [cmd]
        ident = self.doc.new_id("n")
        cmd["id"] = ident
        for port, source in enumerate(inputs):
            commands.append(
                {
                    "cmd": "connect",
                    "source": self._id(source),
                    "source_port": 0,
                    "target": ident,
                    "target_port": port,
                }
            )
        self.edit(commands)
        return self.doc.nodes[ident].name

    def placeholder(self, name: str, shape: tuple[Any, ...], dtype: str = "float32") -> str:
        """A graph input; dims may be ints, names like 'batch', or None."""
        params = {"shape": list(shape), "dtype": dtype}
        return self._add({"cmd": "add_node", "kind": "placeholder", "name": name, "params": params})

    def variable(
        self,
        name: str,
        shape: tuple[int, ...] | None = None,
        init: str = "zeros",
        dtype: str = "float32",
        value: Any = None,
        requires_grad: bool = True,
    ) -> str:
        """A trainable variable: of `shape` initialised by vf.nn.init's `init`, or holding
        `value` (an array or Tensor; a Tensor stays live)."""
        if value is None:
            if shape is None:
                raise EditError("a variable needs a shape or a value")
            params = {
                "shape": list(shape),
                "dtype": dtype,
                "init": init,
                "requires_grad": requires_grad,
            }
            return self._add(
                {"cmd": "add_node", "kind": "variable", "name": name, "params": params}
            )
        return self._hold("variable", name, value, {"init": HELD, "requires_grad": requires_grad})

    def constant(self, name: str, value: Any, dtype: str | None = None) -> str:
        """A fixed value: a number or nested list (kept in the document), or an array."""
        if isinstance(value, (np.ndarray, Tensor)):
            return self._hold("constant", name, value, {})
        params = {"value": value, "dtype": dtype or "float32"}
        return self._add({"cmd": "add_node", "kind": "constant", "name": name, "params": params})

    def _hold(self, kind: str, name: str, value: Any, params: dict[str, Any]) -> str:
        """A leaf holding an array (not undoable: arrays are not commands)."""
        if self.doc.name_taken(name):
            raise EditError(f"the name {name[:70]!r} is taken")
        arr = value if isinstance(value, Tensor) else np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise EditError(f"{kind} {name!r}: an array of numbers, not {arr.dtype}")
        ident = self.doc.new_id("n")
        pos = self._place(())
        self.doc.nodes[ident] = NodeRec(ident, name, kind, None, params, x=pos["x"], y=pos["y"])
        self.doc.set_array(ident, arr)
        self.doc.version += 1
        self.push()
        return name

    def add(self, op: str, *inputs: str, name: str | None = None, **params: Any) -> str:
        """An op node reading the named nodes (in port order); returns its name."""
        cmd: dict[str, Any] = {"cmd": "add_node", "kind": "op", "op": op, "params": params}
        if name is not None:
            cmd["name"] = name
        return self._add(cmd, inputs)

    def add_layer(
        self, layer: str, input: str | None = None, name: str | None = None, **args: Any
    ) -> str:
        """A vf.nn layer as a group (fed by `input` when given); returns its output's name."""
        cmd: dict[str, Any] = {
            "cmd": "add_layer",
            "layer": layer,
            "args": args,
            "position": self._place((input,) if input else ()),
        }
        if name is not None:
            cmd["name"] = name
        step = self.edit([cmd])
        made = step.created["nodes"]
        read = {e.source for e in self.doc.edges.values()}
        out = next(i for i in reversed(made) if i not in read and self.doc.nodes[i].kind == "op")
        if input is not None:
            free = self._free_port(made)
            self.edit(
                [
                    {
                        "cmd": "connect",
                        "source": self._id(input),
                        "source_port": 0,
                        "target": free[0],
                        "target_port": free[1],
                    }
                ]
            )
            self._undo[-2:] = [
                Step(
                    self._undo[-1].inverse + self._undo[-2].inverse,
                    self._undo[-2].redo + self._undo[-1].redo,
                )
            ]
        return self.doc.nodes[out].name

    def _free_port(self, made: list[str]) -> tuple[str, int]:
        into = self.doc.incoming()
        for i in made:
            node = self.doc.nodes[i]
            if node.kind == "op" and 0 not in into.get(i, {}) and 0 not in node.literals:
                return i, 0
        raise EditError("the layer has no free input port")

    def connect(self, source: str, target: str, port: int = 0) -> None:
        """Wire source's output into target's input `port` (replacing a wire there)."""
        self.edit(
            [
                {
                    "cmd": "connect",
                    "source": self._id(source),
                    "source_port": 0,
                    "target": self._id(target),
                    "target_port": port,
                }
            ]
        )

    def disconnect(self, target: str, port: int = 0) -> None:
        """Remove the wire into target's input `port`."""
        edge = self.doc.incoming().get(self._id(target), {}).get(port)
        if edge is None:
            raise EditError(f"{target!r} has no wire into port {port}")
        self.edit([{"cmd": "disconnect", "edge": edge.id}])

    def set_param(self, node: str, param: str, value: Any) -> None:
        """Set a param (checked against the op's declared param)."""
        self.edit([{"cmd": "set_param", "node": self._id(node), "param": param, "value": value}])

    def rename(self, node: str, name: str) -> None:
        self.edit([{"cmd": "rename", "node": self._id(node), "name": name}])

    def delete(self, *nodes: str) -> None:
        """Delete nodes and their wires."""
        self.edit([{"cmd": "delete", "nodes": [self._id(n) for n in nodes]}])

    def group(self, nodes: list[str], name: str) -> str:
        """Put nodes into a new named scope; returns the group's id."""
        step = self.edit([{"cmd": "group", "nodes": [self._id(n) for n in nodes], "name": name}])
        return step.created["groups"][0]

    def ungroup(self, group: str) -> None:
        """Dissolve a group (by id); its members move to its parent."""
        self.edit([{"cmd": "ungroup", "group": group}])

    def set_outputs(self, *nodes: str) -> None:
        """The graph's outputs, in order (by default every op node nobody reads)."""
        self.edit([{"cmd": "set_outputs", "outputs": [self._id(n) for n in nodes]}])

    # ---- running -----------------------------------------------------------------------------
    def run(
        self, inputs: Mapping[str, Any] | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """Run the graph (or what `until` needs) on inputs by placeholder name (others get
        random values of their declared shape); returns each node's value by name."""
        try:
            self.run_record = run(
                self.doc, dict(inputs or {}), None if until is None else self._id(until)
            )
        except Exception:  # it may still have initialised variables (their values shown)
            self.push(if_changed=True)
            raise
        self.push()
        return self.values

    @property
    def values(self) -> dict[str, Any]:
        """The last run's values by node name."""
        return {
            self.doc.nodes[i].name: v
            for i, v in self.run_record.values.items()
            if i in self.doc.nodes
        }

    def train(
        self,
        loss: str,
        optimizer: str = "adam",
        lr: float = 0.01,
        steps: int = 20,
        inputs: Mapping[str, Any] | None = None,
    ) -> list[float | None]:
        """Train the variables `loss` depends on; returns the loss per step (also pushed live
        to the editor's loss curve)."""
        return self.fit(self._id(loss), optimizer, lr, steps, dict(inputs or {}))

    def debug(self, inputs: Mapping[str, Any] | None = None) -> DebugSession:
        """The graph in the debugger (vf.debug), fed as `run` feeds it; shown as a cell's last
        expression it is the debugger widget."""
        return debug_document(self.doc, dict(inputs or {}))

    def __repr__(self) -> str:
        d = self.doc
        size = f"{len(d.nodes)} nodes, {len(d.edges)} wires"
        return f"<vizflow Editor {d.name!r}: {size}, version {d.version}>"
