"""Open the editor's graph in the debugger: `vf.debug` on the document's vf.Graph, fed the
inputs a Run gets (arrays named from the kernel, else the same random values of each
placeholder's declared shape), answered with the debugger widget the browser shows beside
the editor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vizflow_engine.debug import DebugSession, debug
from vizflow_engine.editing import Document, to_graph
from vizflow_engine.editing.run import input_values
from vizflow_engine.graph.passes.infer_shapes import specialize
from vizflow_kernelext.debugger.display import debugger_widget
from vizflow_kernelext.editor.requests import feeds, user_namespace
from vizflow_kernelext.protocol import validate_message
from vizflow_kernelext.widgets.guard import Reply


def debug_document(doc: Document, given: Mapping[str, Any]) -> DebugSession:
    """A debug session of the document's graph, paused before its first node; `given`:
    placeholder name -> array (the others random, as a run draws them)."""
    graph, values = to_graph(doc)
    node_of = {v.uid: ident for ident, v in values.items()}
    arrays = input_values(doc, given)
    feeds = [arrays[node_of[v.uid]] for v in graph.inputs]
    if any(not all(isinstance(d, int) for d in v.shape) for v in graph.inputs):
        graph = specialize(graph, [np.shape(a) for a in feeds])  # named dims: the fed sizes
    return debug(graph, *feeds)


def answer_debug(doc: Document, request: dict[str, Any]) -> Reply:
    """The EditorDebugReply: the session's debugger widget, made (and kept) in the kernel."""
    validate_message("EditorDebugRequest", request)
    session = debug_document(doc, feeds(request["inputs"], user_namespace()))
    widget = debugger_widget(session)
    widget.height = "100%"  # it fills its panel beside the editor
    reply = {
        "kind": "editor_debug_reply",
        "request_id": request["request_id"],
        "model_id": widget.model_id,
        "nodes": len(session.node_names),
    }
    validate_message("EditorDebugReply", reply)
    return reply, []
