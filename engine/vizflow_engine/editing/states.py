"""Node states, KNIME-style: error, valid, executed (value fresh) or stale (changed since).

A run records each node's value with a fingerprint of everything the value depends on (the
node's op, params and literals and its inputs' fingerprints; a leaf's params and its array's
writes). A node is executed while its fingerprint still matches, stale once it does not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .infer import NodeType
from .model import Document, EdgeRec, NodeRec
from .params import to_json


def fingerprints(doc: Document) -> dict[str, str]:
    """Each node's fingerprint, in one pass over a topological order."""
    into = doc.incoming()
    prints: dict[str, str] = {}
    for ident in doc.topological():
        prints[ident] = fingerprint(doc, doc.nodes[ident], into.get(ident, {}), prints)
    return prints


def fingerprint(
    doc: Document, node: NodeRec, wired: dict[int, EdgeRec], prints: dict[str, str]
) -> str:
    """One node's fingerprint, its inputs' fingerprints being in `prints`."""
    parts = [
        node.kind,
        node.op,
        {k: to_json(v) for k, v in sorted(node.params.items())},
        {str(k): to_json(v) for k, v in sorted(node.literals.items())},
        {str(k): prints.get(e.source) for k, e in sorted(wired.items())},
        id(doc.arrays.get(node.id)),
        doc.stamps.get(node.id, 0),
    ]
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass
class RunRecord:
    """The values of the last run and the fingerprints they were computed under."""

    values: dict[str, Any] = field(default_factory=dict)
    prints: dict[str, str] = field(default_factory=dict)
    arrays: list[Any] = field(default_factory=list)  # keeps fingerprinted arrays' ids unique


def node_states(doc: Document, types: dict[str, NodeType], run: RunRecord) -> dict[str, str]:
    """Each node's state: error, valid, executed or stale."""
    now = fingerprints(doc) if run.values else {}
    return {ident: node_state(ident, types, run, now) for ident in doc.nodes}


def node_state(ident: str, types: dict[str, NodeType], run: RunRecord, now: dict[str, str]) -> str:
    """One node's state, given every node's type and fingerprint now (`now` may be empty
    when the run holds no values)."""
    if types[ident].error is not None:
        return "error"
    if ident not in run.values:
        return "valid"
    return "executed" if run.prints.get(ident) == now.get(ident) else "stale"
