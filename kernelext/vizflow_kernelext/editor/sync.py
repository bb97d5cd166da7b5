"""The document as the browser holds it, kept in the kernel so that each change goes out as
a patch (EditorDocumentPatch): the nodes, edges and groups an edit added, removed or
changed, between two versions.

What an edit can change is read from its step: every object a command touches is named by
id in the command as applied or in its inverse (an inverse must name what it restores).
Shape inference and node states are redone for the touched nodes, and down their cone only
as far as a node's type, fingerprint or name changed; the nodes whose JSON then differs are
sent. A change that is not a step (a run, training, an array set from Python) is compared
whole.
"""

from __future__ import annotations

from typing import Any

from vizflow_engine.editing.commands import Step
from vizflow_engine.editing.infer import NodeType, infer_all, node_type
from vizflow_engine.editing.model import Document, EdgeRec
from vizflow_engine.editing.records import edge_record, group_record
from vizflow_engine.editing.states import RunRecord, fingerprint, fingerprints, node_state
from vizflow_kernelext.editor.document import node_json, updates_json

Json = dict[str, Any]


def named_ids(commands: list[Any]) -> set[str]:
    """Every string in commands, as a value or as a key (move's positions are keyed by
    node id): a superset of the ids they name. Iterative: fragments nest objects."""
    found: set[str] = set()
    todo: list[Any] = list(commands)
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            found.update(k for k in item if isinstance(k, str))
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


class DocumentSync:
    """The last document sent (its JSON by id, its nodes' types and fingerprints), and the
    patch from it to the document now."""

    def __init__(self) -> None:
        self.version = -1
        self.name = ""
        self.nodes: dict[str, Json] = {}  # in creation order
        self.seqs: dict[str, int] = {}
        self.edges: dict[str, Json] = {}  # in id order
        self.groups: dict[str, Json] = {}  # in the document's order
        self.outputs: list[str] = []
        self.updates: list[dict[str, str]] = []
        self.types: dict[str, NodeType] = {}
        self.prints: dict[str, str] = {}  # held only while the run has values
        self.cyclic = False

    def reset(self, doc: Document, run: RunRecord) -> Json:
        """Take the document whole; return it (an EditorDocument)."""
        self.types = infer_all(doc)
        self.prints = fingerprints(doc) if run.values else {}
        into = doc.incoming()
        self.nodes = {
            n.id: node_json(
                doc,
                n,
                into.get(n.id, {}),
                self.types,
                node_state(n.id, self.types, run, self.prints),
                run,
            )
            for n in doc.ordered()
        }
        self.seqs = {i: n.seq for i, n in doc.nodes.items()}
        self.edges = {i: edge_record(doc.edges[i]) for i in sorted(doc.edges)}
        self.groups = {g.id: group_record(g) for g in doc.groups.values()}
        self.name, self.outputs, self.updates = doc.name, list(doc.outputs), updates_json(doc)
        self.version = doc.version
        self.cyclic = any(t.rule == "cycle" for t in self.types.values())
        return self.document()

    def document(self) -> Json:
        """The document as last sent (an EditorDocument)."""
        return {
            "version": self.version,
            "name": self.name,
            "nodes": list(self.nodes.values()),
            "edges": list(self.edges.values()),
            "groups": list(self.groups.values()),
            "outputs": list(self.outputs),
            "updates": list(self.updates),
        }

    def patch(self, doc: Document, run: RunRecord, step: Step | None) -> Json:
        """Bring the held document up to `doc` after `step` (None: anything may have
        changed, the run too); return the EditorDocumentPatch that does the same."""
        if step is None or self.cyclic:
            touched = None
        else:
            touched = named_ids(step.redo) | named_ids(step.inverse)
        patch: Json = {"kind": "editor_patch", "base_version": self.version, "version": doc.version}
        patch.update(self._nodes(doc, run, touched))
        patch.update(self._edges(doc, touched))
        patch.update(self._groups(doc, touched))
        if doc.name != self.name:
            self.name = patch["name"] = doc.name
        if doc.outputs != self.outputs:
            self.outputs = list(doc.outputs)
            patch["outputs"] = list(doc.outputs)
        updates = updates_json(doc)
        if updates != self.updates:
            self.updates = patch["updates"] = updates
        self.version = doc.version
        return patch

    def _nodes(self, doc: Document, run: RunRecord, touched: set[str] | None) -> Json:
        into = doc.incoming()
        redone: Any
        if touched is not None:
            starts = {i for i in touched if i in doc.nodes}
            order, members = doc.cone(starts)
            if len(order) < len(members):  # a cycle: none can be wired, but be whole then
                touched = None
        if touched is None:
            self.types = infer_all(doc)
            self.prints = fingerprints(doc) if run.values else {}
            redone = doc.nodes.keys()
            gone = [i for i in self.nodes if i not in doc.nodes]
        else:
            redone = self._redo_cone(doc, run, into, order, starts)
            gone = [i for i in touched if i in self.nodes and i not in doc.nodes]
        # a cycle (none can be wired; a graph given whole might hold one) makes every later
        # patch a whole comparison, as a cone's order cannot be trusted then
        self.cyclic = any(self.types[i].rule == "cycle" for i in redone)
        changed: list[str] = []
        added: set[str] = set()
        moved = False  # a node kept its id but not its place in creation order
        for i in redone:
            node = doc.nodes[i]
            state = node_state(i, self.types, run, self.prints)
            new = node_json(doc, node, into.get(i, {}), self.types, state, run)
            old = self.nodes.get(i)
            if old is None:
                added.add(i)
            if old != new:
                changed.append(i)
                self.nodes[i] = new
            moved = moved or self.seqs.get(i, node.seq) != node.seq
            self.seqs[i] = node.seq
        for i in gone:
            del self.nodes[i], self.seqs[i]
            self.types.pop(i, None)
            self.prints.pop(i, None)
        changed.sort(key=lambda i: doc.nodes[i].seq)
        out: Json = {"nodes": [self.nodes[i] for i in changed], "removed_nodes": sorted(gone)}
        if added or gone or moved:
            # the browser drops what is gone and appends what is new; say the order if that
            # is not it (an undone delete puts nodes back in their places)
            order = [n.id for n in doc.ordered()]
            kept = [i for i in self.nodes if i not in added]
            if order != kept + [i for i in changed if i in added]:
                out["node_order"] = order
            self.nodes = {i: self.nodes[i] for i in order}
        return out

    def _redo_cone(
        self,
        doc: Document,
        run: RunRecord,
        into: dict[str, dict[int, EdgeRec]],
        order: list[str],
        starts: set[str],
    ) -> list[str]:
        """Redo the type and fingerprint of each touched node and of each node after one
        whose type, fingerprint or name (which an upstream error quotes) changed, in
        topological order; return the nodes redone."""
        differs: set[str] = set()
        redone: list[str] = []
        for i in order:
            wired = into.get(i, {})
            if i not in starts and not any(e.source in differs for e in wired.values()):
                continue
            node = doc.nodes[i]
            kind = node_type(doc, node, wired, self.types)
            mark = fingerprint(doc, node, wired, self.prints) if run.values else None
            held = self.nodes.get(i)
            if (
                kind != self.types.get(i)
                or mark != self.prints.get(i)
                or held is None
                or held["name"] != node.name
            ):
                differs.add(i)
            self.types[i] = kind
            if mark is not None:
                self.prints[i] = mark
            redone.append(i)
        return redone

    def _edges(self, doc: Document, touched: set[str] | None) -> Json:
        ids = set(self.edges) | set(doc.edges) if touched is None else touched
        gone = sorted(i for i in ids if i in self.edges and i not in doc.edges)
        changed: list[str] = []
        for i in sorted(i for i in ids if i in doc.edges):
            new = edge_record(doc.edges[i])
            if self.edges.get(i) != new:
                changed.append(i)
        fresh = any(i not in self.edges for i in changed)
        for i in gone:
            del self.edges[i]
        for i in changed:
            self.edges[i] = edge_record(doc.edges[i])
        if fresh:  # kept in id order, as the browser inserts them
            self.edges = {i: self.edges[i] for i in sorted(self.edges)}
        return {"edges": [self.edges[i] for i in changed], "removed_edges": gone}

    def _groups(self, doc: Document, touched: set[str] | None) -> Json:
        ids = set(self.groups) | set(doc.groups) if touched is None else touched
        if not any(i in self.groups or i in doc.groups for i in ids):
            return {"groups": [], "removed_groups": []}
        gone = sorted(i for i in ids if i in self.groups and i not in doc.groups)
        changed = [
            i for i in doc.groups if i in ids and self.groups.get(i) != group_record(doc.groups[i])
        ]
        fresh = {i for i in changed if i not in self.groups}
        for i in gone:
            del self.groups[i]
        for i in changed:
            self.groups[i] = group_record(doc.groups[i])
        out: Json = {"groups": [self.groups[i] for i in changed], "removed_groups": gone}
        # the browser drops what is gone and appends what is new; say the order if that is
        # not it (a group removed and made again in one step moves to the end)
        order = list(doc.groups)
        if order != [i for i in self.groups if i not in fresh] + [i for i in changed if i in fresh]:
            out["group_order"] = order
        self.groups = {i: self.groups[i] for i in order}
        return out
