"""Generated plan source built only from compiler-made tokens, so graph text can never reach exec.

A plan's code is assembled from three kinds of token and nothing else: fixed syntax from the
SYNTAX table below, identifiers the compiler numbers itself (Name: a fixed prefix and ints,
like s3, k7, c12), and small non-negative ints (slot and feed indices). Every value that comes
from a graph — literals, params, shapes, names — is bound as an object in the plan's namespace
(Namespace.bind) and the code refers to it by its Name. Each token is checked when it is made,
so a string from a graph file is refused before any source exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# every piece of fixed text generated code may contain
SYNTAX = frozenset(
    {
        "    ",
        "def ",
        "return ",
        "del ",
        "pass",
        " = ",
        ", ",
        "(",
        ")",
        "[",
        "]",
        ":",
        "out=",
        "axis=",
        "keepdims=",
        ".T",
        ".transpose(",
        ".reshape(",
        ".copy()",
        ".array",
        "run",
        "res",
        "_t",
        "F",
        "V",
        "C",
        "S",
        "asarray",
        "broadcast_to",
        "np_copyto",
        "S, F",
        "):",
        "if ",
    }
)
# prefixes of numbered identifiers: slot locals, step functions, kernels, constants, buffers
PREFIXES = frozenset({"s", "i", "j", "k", "c", "b"})
MAX_INDEX = 1 << 31


class CodegenError(AssertionError):
    """A token that the code generator did not make itself (a bug in the compiler)."""


def _index(k: object) -> int:
    """k if it is a plain non-negative int below MAX_INDEX (never a bool or a numpy int)."""
    if type(k) is not int or not 0 <= k < MAX_INDEX:
        raise CodegenError(f"not a compiler index: {type(k).__name__}")
    return k


class Name:
    """An identifier the compiler made: a fixed prefix and numbers (s3, k7, k7_2)."""

    __slots__ = ("text",)

    def __init__(self, prefix: str, *nums: int) -> None:
        if type(prefix) is not str or prefix not in PREFIXES or not nums:
            raise CodegenError("a generated name needs a known prefix and a number")
        self.text = prefix + "_".join(str(_index(k)) for k in nums)


class Hole:
    """Where a node's k-th argument goes: filled with a slot local (s3) or a slot index (S[3])."""

    __slots__ = ("k",)

    def __init__(self, k: int) -> None:
        self.k = _index(k)


class Code:
    """A piece of generated source: a sequence of checked tokens, rendered with argument fills."""

    __slots__ = ("parts",)

    def __init__(self, *parts: Any) -> None:
        for p in parts:
            if type(p) is str:
                if p not in SYNTAX:
                    raise CodegenError("generated code may only contain fixed syntax")
            elif type(p) is int:
                _index(p)
            elif not isinstance(p, (Name, Hole, Code)):
                raise CodegenError(f"not a code token: {type(p).__name__}")
        self.parts = parts

    def render(self, args: Sequence[Code] = ()) -> str:
        """The source text, each Hole(k) replaced by args[k]."""
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, int):
                out.append(str(p))
            elif isinstance(p, Name):
                out.append(p.text)
            elif isinstance(p, Hole):
                out.append(args[p.k].render())
            else:
                out.append(p.render(args))
        return "".join(out)


def join(items: Sequence[Code], sep: str = ", ") -> Code:
    """items separated by sep (fixed syntax)."""
    parts: list[Any] = []
    for j, it in enumerate(items):
        if j:
            parts.append(sep)
        parts.append(it)
    return Code(*parts)


def call(fn: Name | str, args: Sequence[Code], out: Code | None = None) -> Code:
    """fn(args…[, out=out])."""
    tail = (", ", "out=", out) if out is not None else ()
    return Code(fn, "(", join(args), *tail, ")")


class Namespace:
    """A plan's globals: fixed helpers, and every other object under a numbered Name."""

    def __init__(self, fixed: dict[str, Any]) -> None:
        for key in fixed:
            if key not in SYNTAX:
                raise CodegenError("a fixed namespace entry must be a SYNTAX identifier")
        self.objects: dict[str, Any] = dict(fixed)
        self._count: dict[str, int] = {}

    def fresh(self, prefix: str) -> Name:
        """A new Name with this prefix, bound to nothing yet."""
        k = self._count.get(prefix, 0)
        self._count[prefix] = k + 1
        return Name(prefix, k)

    def bind(self, prefix: str, obj: Any) -> Name:
        """Store obj under a new Name (k for kernels, c for graph values) and return the Name."""
        name = self.fresh(prefix)
        self.objects[name.text] = obj
        return name


def slot_local(s: int) -> Code:
    """A slot as a local variable of the whole-plan function: s<slot>."""
    return Code(Name("s", s))


def slot_item(s: int) -> Code:
    """A slot as an item of the step functions' slot list: S[<slot>]."""
    return Code("S", "[", s, "]")


__all__ = [
    "Code",
    "CodegenError",
    "Hole",
    "Name",
    "Namespace",
    "call",
    "join",
    "slot_item",
    "slot_local",
]
