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
from .model import Document
from .params import to_json


def fingerprints(doc: Document) -> dict[str, str]:
    """Each node's fingerprint, in one pass over a topological order."""
    prints: dict[str, str] = {}
    fingerprints_into(doc, prints, doc.topological())
    return prints


def fingerprints_into(doc: Document, prints: dict[str, str], order: list[str]) -> None:
    """Set the fingerprints of the nodes in `order` (a topological order of a set closed
    downstream) in `prints`, whose other entries are their inputs' fingerprints."""
    into = doc.incoming()
    for ident in order:
        node = doc.nodes[ident]
        wired = into.get(ident, {})
        parts = [
            node.kind,
            node.op,
            {k: to_json(v) for k, v in sorted(node.params.items())},
            {str(k): to_json(v) for k, v in sorted(node.literals.items())},
            {str(k): prints.get(e.source) for k, e in sorted(wired.items())},
            id(doc.arrays.get(ident)),
            doc.stamps.get(ident, 0),
        ]
        text = json.dumps(parts, sort_keys=True, default=str)
        prints[ident] = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


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
