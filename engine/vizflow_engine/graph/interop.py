"""Export to networkx and graphviz dot (the `dot` binary is not needed to make the source)."""

from __future__ import annotations

from typing import Any

from .ir import Graph, Value
from .text import typ

_PHASE_COLOR = {"forward": "#dbeafe", "backward": "#fde68a", "update": "#bbf7d0"}


def to_networkx(g: Graph) -> Any:
    """A networkx.MultiDiGraph: one vertex per leaf value and per node, edges carry types."""
    import networkx as nx

    G = nx.MultiDiGraph(name=g.name)
    for v in [*g.inputs, *g.variables, *g.constants]:
        G.add_node(v.name, kind=v.kind, shape=v.shape, dtype=str(v.dtype))
    for n in g.nodes:
        out = g.out[n]
        src = n.source
        G.add_node(
            out.name,
            kind="op",
            op=n.op.name,
            params=n.params,
            scope=n.scope,
            phase=n.phase,
            shape=out.shape,
            dtype=str(out.dtype),
            source=str(src) if src else None,
            forward_of=n.forward_of.name if n.forward_of is not None else None,
        )
        for port, x in enumerate(n.inputs):
            if isinstance(x, Value):
                G.add_edge(x.name, out.name, port=port, shape=x.shape, dtype=str(x.dtype))
    G.graph["outputs"] = [v.name for v in g.outputs]
    G.graph["updates"] = [(a.name, b.name) for a, b in g.updates]
    return G


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(g: Graph) -> str:
    """Graphviz source: scopes as nested clusters, phases as fill colours, types on edges."""
    lines = [f"digraph {_q(g.name)} {{", "  rankdir=TB;", "  node [shape=box, style=filled];"]
    for v in [*g.inputs, *g.variables, *g.constants]:
        shape = {"input": "ellipse", "variable": "cylinder", "constant": "note"}[v.kind]
        lines.append(
            f"  {_q(v.name)} [label={_q(v.name + chr(10) + typ(v))}, shape={shape}, "
            "fillcolor=white];"
        )
    tree: dict[str, list[str]] = {}
    for n in g.nodes:
        out = g.out[n]
        decl = (
            f"{_q(out.name)} [label={_q(n.op.name + chr(10) + typ(out))}, "
            f"fillcolor={_q(_PHASE_COLOR.get(n.phase, 'white'))}];"
        )
        tree.setdefault(n.scope, []).append(decl)
    for k, (scope, decls) in enumerate(sorted(tree.items())):
        if scope:
            lines.append(f"  subgraph cluster_{k} {{ label={_q(scope)};")
            lines.extend("    " + d for d in decls)
            lines.append("  }")
        else:
            lines.extend("  " + d for d in decls)
    for n in g.nodes:
        out = g.out[n]
        for x in n.inputs:
            if isinstance(x, Value):
                lines.append(f"  {_q(x.name)} -> {_q(out.name)} [label={_q(typ(x))}];")
    for var, new in g.updates:
        lines.append(f'  {_q(new.name)} -> {_q(var.name)} [style=dashed, label="update"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
