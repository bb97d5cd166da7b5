"""What the CompactGraph schema cannot say: every index in range, every column full length.

The schema checks types; this checks that the columns agree with `count`, that every
string index points into `strings`, every node reference into the nodes (or, negative,
into `strings`), every phase is a Phase, and every sparse key names an existing node or
edge, so that `decode` of a checked graph cannot fail and yields a valid GraphPayload.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from vizflow_kernelext.protocol import ProtocolError, load_schema

_STRING_COLUMNS = ("id", "op", "name", "category", "dtype", "device", "scope", "phase")


@lru_cache(maxsize=8)
def _index_names(size: int) -> frozenset[str]:
    """ "0" .. str(size - 1): the keys a sparse column of `size` entries may have."""
    return frozenset(map(str, range(size)))


class _Checker:
    def __init__(self, compact: dict[str, Any]) -> None:
        self.n_strings = len(compact["strings"])
        self.n_nodes: int = compact["nodes"]["count"]

    def fail(self, where: str, reason: str) -> None:
        raise ProtocolError(f"invalid CompactGraph at {where}: {reason}")

    def length(self, where: str, column: list[Any], expected: int, of: str) -> None:
        if len(column) != expected:
            self.fail(where, f"has {len(column)} entries, expected {expected} (one per {of})")

    def strings(self, where: str, indices: list[int]) -> None:
        """Each index names an entry of `strings`."""
        if indices and (max(indices) >= self.n_strings or min(indices) < 0):
            i = next(k for k, v in enumerate(indices) if not 0 <= v < self.n_strings)
            where = where if len(indices) == 1 else f"{where}/{i}"
            self.fail(where, self._string_reason(indices[i]))

    def refs(self, where: str, refs: list[Any]) -> None:
        """Each reference names a node (index >= 0) or a string (-1 - index); None skipped."""
        present = [r for r in refs if r is not None]
        if present and (min(present) < -self.n_strings or max(present) >= self.n_nodes):
            i, r = next(
                (i, r)
                for i, r in enumerate(refs)
                if r is not None and not -self.n_strings <= r < self.n_nodes
            )
            self.fail(
                f"{where}/{i}",
                f"reference {r} names neither a node (0..{self.n_nodes - 1}) "
                f"nor a string (-1..{-self.n_strings})",
            )

    def keys(self, where: str, mapping: dict[str, Any], size: int, of: str) -> None:
        """Each key of a sparse column is the decimal index of an existing node or edge."""
        stray = mapping.keys() - _index_names(size)
        if stray:
            key = next(k for k in mapping if k in stray)
            self.fail(f"{where}/{key}", f"names no {of} (there are {size})")

    def _string_reason(self, index: int) -> str:
        return f"string index {index} is out of range (strings has {self.n_strings})"


def check_compact_references(compact: dict[str, Any]) -> None:
    """Raise ProtocolError naming the first index out of range in a schema-valid CompactGraph."""
    c = _Checker(compact)
    nodes: dict[str, Any] = compact["nodes"]
    count = c.n_nodes
    for key in (*_STRING_COLUMNS, "shape", "forward_of", "updates"):
        if key in nodes:
            c.length(f"nodes/{key}", nodes[key], count, "node")
    for key in _STRING_COLUMNS:
        if key in nodes:
            c.strings(f"nodes/{key}", nodes[key])
    phases = set(load_schema()["definitions"]["Phase"]["enum"])
    if any(compact["strings"][s] not in phases for s in set(nodes["phase"])):
        i, s = next(
            (i, s) for i, s in enumerate(nodes["phase"]) if compact["strings"][s] not in phases
        )
        c.fail(f"nodes/phase/{i}", f"{compact['strings'][s]!r:.80} is not a phase")
    if "id" in nodes and len(set(nodes["id"])) != count:
        c.fail("nodes/id", "two nodes share an id")
    c.refs("nodes/forward_of", nodes.get("forward_of", []))
    c.refs("nodes/updates", nodes.get("updates", []))
    c.keys("nodes/nonfinite", nodes.get("nonfinite", {}), count, "node")
    c.keys("nodes/params", nodes.get("params", {}), count, "node")
    sources: dict[str, Any] = nodes.get("source", {})
    c.keys("nodes/source", sources, count, "node")
    texts: list[int] = []
    for key, source in sources.items():
        if source is None:
            continue
        if source[0] is None or source[1] is None:
            c.fail(f"nodes/source/{key}", "a source location needs a file and a line")
        texts.append(source[0])
        texts.extend(text for text in source[2:] if text is not None)
    if texts and (min(texts) < 0 or max(texts) >= c.n_strings):
        for key, source in sources.items():  # find the first one, to say where
            for i, text in enumerate(source or ()):
                if i != 1 and text is not None:
                    c.strings(f"nodes/source/{key}/{i}", [text])
    for flag in ("has_value", "has_grad"):
        marked: list[int] = nodes.get(flag, [])
        if marked and max(marked) >= count:
            c.fail(f"nodes/{flag}", f"node index {max(marked)} is out of range ({count} nodes)")
    for name, column in nodes.get("metrics", {}).items():
        c.length(f"nodes/metrics/{name}", column, count, "node")

    edges: dict[str, Any] = compact["edges"]
    n_edges = len(edges["src"])
    for key in ("dst", "port", "id"):
        if key in edges:
            c.length(f"edges/{key}", edges[key], n_edges, "edge")
    c.refs("edges/src", edges["src"])
    c.refs("edges/dst", edges["dst"])
    if "id" in edges:
        c.strings("edges/id", edges["id"])
    c.keys("edges/shape", edges.get("shape", {}), n_edges, "edge")
    dtypes: dict[str, int] = edges.get("dtype", {})
    c.keys("edges/dtype", dtypes, n_edges, "edge")
    c.strings("edges/dtype", list(dtypes.values()))
    for i, src in enumerate(edges["src"]):
        if src < 0 and str(i) not in dtypes:
            c.fail(f"edges/dtype/{i}", "an edge from outside the graph needs its own dtype")
    c.refs("outputs", compact["outputs"])
