"""The one node type shared by the eager tape and the traced graph, and cheap source capture."""

from __future__ import annotations

import itertools
import os
import re
import sys
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import OpDef


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where user code called an op: file, line, function, and the notebook cell id if any."""

    file: str
    line: int
    function: str
    cell_id: str | None = None

    def __str__(self) -> str:
        if self.cell_id:
            return f"cell {self.cell_id}, line {self.line}, in {self.function}"
        where = f"{self.file}:{self.line}"
        return f"{where}, in {self.function}"


_counter = itertools.count()


class Node:
    """One op application: op, params, inputs, name, scope, source, phase, forward_of, seq.

    Scope, phase and forward_of are read from `_ctx`, the engine state tuple at record time
    (see _state.py), which the eager fast paths store as it is: one slot instead of three.
    The source is kept as (code object, _line) and made into a SourceLocation on demand.
    `_line` holds ~line (negative) once the line is known; the eager paths store the
    caller's bytecode offset f_lasti (>= 0) instead, turned into a line on first use.
    `_args` optionally holds the raw input arrays (scalars as they are) at record time, so a
    backward without create_graph need not unwrap the input tensors again. `_fast` says that
    every input is a Tensor that requires grad and has the output's shape, so the backward
    walk may skip its per-input checks (set by the eager fast paths, which know it cheaply).

    Eager tensors point at the Node that made them; traced graphs hold the same class
    with symbolic inputs. Backward nodes (recorded under create_graph) have
    phase="backward" and forward_of set to the forward node they differentiate.
    """

    __slots__ = (
        "_args",
        "_code",
        "_ctx",
        "_fast",
        "_line",
        "_loc",
        "freed",
        "inputs",
        "name",
        "op",
        "params",
        "seq",
    )

    def __init__(
        self,
        op: OpDef,
        params: dict[str, Any],
        inputs: tuple[Any, ...],
        scope: str = "",
        phase: str = "forward",
        forward_of: Node | None = None,
        code: CodeType | None = None,
        line: int = 0,
        name: str | None = None,
    ) -> None:
        self.op = op
        self.params = params
        self.inputs = inputs
        self._ctx = (True, scope, phase, forward_of, False)
        self._code = code
        self._line = ~line
        self._loc: SourceLocation | None = None
        self._args: tuple[Any, ...] | None = None
        self._fast = False
        self.name = name
        self.freed = False
        self.seq = next(_counter)

    @property
    def scope(self) -> str:
        """The module/name scope path the op ran in ("" at top level)."""
        return self._ctx[1]

    @scope.setter
    def scope(self, value: str) -> None:
        c = self._ctx
        self._ctx = (c[0], value, c[2], c[3], c[4])

    @property
    def phase(self) -> str:
        """ "forward", "backward" (recorded by a create_graph backward) or "update"."""
        return self._ctx[2]

    @phase.setter
    def phase(self, value: str) -> None:
        c = self._ctx
        self._ctx = (c[0], c[1], value, c[3], c[4])

    @property
    def forward_of(self) -> Node | None:
        """For a backward node, the forward node it differentiates."""
        return self._ctx[3]

    @forward_of.setter
    def forward_of(self, value: Node | None) -> None:
        c = self._ctx
        self._ctx = (c[0], c[1], c[2], value, c[4])

    @property
    def source(self) -> SourceLocation | None:
        """The user's file/line/function (and notebook cell) that ran this op."""
        code = self._code
        if code is None:
            return self._loc
        line = self._line
        if line >= 0:  # a bytecode offset, recorded lazily: look the line up once
            line = line_at(code, line)
            self._line = ~line
        else:
            line = ~line
        fn = code.co_filename
        return SourceLocation(fn, line, code.co_name, _cell_id(fn))

    @source.setter
    def source(self, loc: SourceLocation | None) -> None:
        self._code, self._line, self._loc = None, -1, loc

    def __repr__(self) -> str:
        scope = f" scope={self.scope!r}" if self.scope else ""
        extra = f" phase={self.phase}" if self.phase != "forward" else ""
        return f"<Node #{self.seq} {self.op.name}{scope}{extra}>"


_CELL_RE = re.compile(r"ipykernel_\d+[/\\](\w+)\.py$|<ipython-input-(\d+)-")


def _cell_id(filename: str) -> str | None:
    """The notebook cell id IPython encodes in a cell's filename, or None outside notebooks."""
    if "ipykernel_" not in filename and "<ipython" not in filename:
        return None
    m = _CELL_RE.search(filename)
    if m is None:
        return None
    return m.group(1) or f"In[{m.group(2)}]"


def _package_roots() -> tuple[str, ...]:
    """Directories of the vizflow packages, whose frames source capture skips."""
    import importlib.util

    roots = [os.path.dirname(os.path.abspath(__file__))]
    for name in ("vizflow_kernelext", "vizflow"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            roots.extend(os.path.abspath(p) for p in spec.submodule_search_locations)
    return tuple(r + os.sep for r in roots)


_roots: list[tuple[str, ...]] = []
_internal: dict[str, bool] = {}
"""Cache: code filename -> True when it lies inside a vizflow package (str hashes are cached,
code-object hashes are not)."""
_last_user_code: list[CodeType | None] = [None]
"""The code object of the last user frame that called an eager fast path directly: the same
caller again (a loop, a chain of ops on one line) is known to be user code at once."""


def is_internal(code: CodeType) -> bool:
    """True when `code` lives inside a vizflow package (cached per file name)."""
    fn = code.co_filename
    v = _internal.get(fn)
    if v is None:
        if not _roots:
            _roots.append(_package_roots())
        v = fn.startswith(_roots[0]) or (
            not os.path.isabs(fn) and os.path.abspath(fn).startswith(_roots[0])
        )
        _internal[fn] = v
    return v


def add_internal_path(path: str) -> None:
    """Treat frames under `path` as vizflow-internal too (for extensions built on the engine)."""
    if not _roots:
        _roots.append(_package_roots())
    _roots[0] = (*_roots[0], os.path.abspath(path) + os.sep)
    _internal.clear()
    _last_user_code[0] = None


def line_at(code: CodeType, lasti: int) -> int:
    """The source line of the instruction at byte offset `lasti` of `code` (as f_lineno)."""
    for start, end, line in code.co_lines():
        if start <= lasti < end:
            return code.co_firstlineno if line is None else line
    return code.co_firstlineno


def user_frame(f: FrameType | None) -> FrameType | None:
    """The first frame from f outwards that is not vizflow's (None if all are).

    Its code is remembered (_last_user_code): the eager fast paths skip this walk when their
    caller runs that code again (a loop, several ops on one line).
    """
    internal = _internal
    while f is not None:
        code = f.f_code
        v = internal.get(code.co_filename)
        if v is None:
            v = is_internal(code)
        if not v:
            _last_user_code[0] = code
            return f
        f = f.f_back
    return None


def capture() -> tuple[CodeType | None, int]:
    """The first frame outside vizflow: (code object, line); cheap enough to stay always on."""
    f = user_frame(sys._getframe(2))
    return (None, 0) if f is None else (f.f_code, f.f_lineno)


def capture_location() -> SourceLocation | None:
    """The user's SourceLocation for the current call (used for error messages)."""
    code, line = capture()
    if code is None:
        return None
    return SourceLocation(code.co_filename, line, code.co_name, _cell_id(code.co_filename))
