"""The graph viewer widget: holds a validated graph the browser draws.

The `graph` and `compare` traits hold the protocol's CompactGraph (the columnar wire form
of a GraphPayload, see `payload.compact`); a plain GraphPayload assigned to them is
validated and encoded. `viewer.payload` / `viewer.nodes` give the expanded form.

Its output carries three representations: the live widget, an
`application/vnd.vizflow.graph+json` bundle (so a saved notebook shows the graph with no
kernel, through the extension's mime renderer) and a static SVG for other front ends.
The browser asks for node values with `inspect` messages; replies carry summaries whose
histogram and heatmap arrays travel as binary buffers, and say whether the value was
recorded by the run or is a leaf's current one, and whether it changed since the viewer
was built (`provenance`). Browser messages go through
`GuardedWidget`: a refused update changes nothing, every request gets a reply.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import traitlets

from vizflow_kernelext.payload.compact import decode, encode, is_compact
from vizflow_kernelext.payload.compact_check import check_compact_references
from vizflow_kernelext.protocol import (
    PROTOCOL_VERSION,
    ProtocolError,
    validate_graph_payload,
    validate_message,
)
from vizflow_kernelext.provenance import Provenance, host_array
from vizflow_kernelext.summaries import summarize
from vizflow_kernelext.svg_fallback import render_svg
from vizflow_kernelext.widgets.guard import GuardedWidget, RejectedValue, Reply, RequestHandler
from vizflow_kernelext.wire_text import wire_safe

MODULE_NAME = "@vizflow/jupyterlab"
MODULE_VERSION = "0.1.0"
MIME_TYPE = "application/vnd.vizflow.graph+json"
LAYOUT_DIRECTIONS = ("RIGHT", "DOWN")
AUTO_HEIGHT = "auto"


def _compact(value: dict[str, Any], trusted: bool) -> dict[str, Any]:
    """A graph as a CompactGraph, validated unless trusted."""
    try:
        if is_compact(value):
            if not trusted:
                validate_message("CompactGraph", value)
                check_compact_references(value)
            return value
        if not trusted:
            validate_graph_payload(value)
        return encode(value)
    except ProtocolError as exc:
        raise RejectedValue(str(exc)) from None


def _to_wire(value: dict[str, Any], trusted: bool) -> dict[str, Any]:
    """A graph as the traits hold it: a CompactGraph, validated unless trusted, whose text
    can be sent (lone surrogates in names become visible escapes)."""
    sendable: dict[str, Any] = wire_safe(_compact(value, trusted))
    return sendable


class GraphViewer(GuardedWidget):
    """Interactive view of one computation graph (and optionally a second, side by side)."""

    _model_name = traitlets.Unicode("GraphViewerModel").tag(sync=True)
    _view_name = traitlets.Unicode("GraphViewerView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    graph = traitlets.Dict().tag(sync=True)
    compare = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    # None: the browser's "Layout direction" setting decides (left to right by default).
    layout_direction = traitlets.Enum(LAYOUT_DIRECTIONS, default_value=None, allow_none=True).tag(
        sync=True
    )
    # "auto": the viewer's height follows the graph (up to a cap); else a CSS length ("420px").
    height = traitlets.Unicode(AUTO_HEIGHT).tag(sync=True)
    # The viewer's own heading ("" for none): a comparison's caption, each side keeping its
    # graph's title.
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        graph: dict[str, Any],
        values: Mapping[str, Any] | None = None,
        compare: dict[str, Any] | None = None,
        *,
        current: Collection[str] = (),
        trusted: bool = False,
        **kwargs: Any,
    ) -> None:
        """`values`: node id -> the value the inspector shows; `current`: the ids whose
        value is a leaf's current one (not recorded by the run that made the graph)."""
        # Payloads from vizflow's own builders are schema-checked by the test suite; any
        # other graph (yours, set now or later) is validated here before it is sent.
        self._trusted_ids = {id(graph), id(compare)} if trusted else set()
        self._expanded: tuple[dict[str, Any] | None, dict[str, Any] | None] = (None, None)
        super().__init__(graph=graph, compare=compare, **kwargs)
        self._trusted_ids = set()
        self._values: dict[str, Any] = dict(values or {})
        self._provenance = Provenance(self._values, current)

    @traitlets.validate("graph")
    def _check_graph(self, proposal: dict[str, Any]) -> dict[str, Any]:
        value: dict[str, Any] = proposal["value"]
        trusted = self._restoring or id(value) in self._trusted_ids
        compact = _compact(value, trusted)
        sendable: dict[str, Any] = wire_safe(compact)
        if trusted and compact is not value and sendable is compact:
            # A builder's payload, encoded and sent unchanged: decode(encode(p)) == p, so
            # the drawn graph's expanded form is p itself (not decoded back for the bundle).
            self._expanded = (sendable, value)
        return sendable

    @traitlets.validate("compare")
    def _check_compare(self, proposal: dict[str, Any]) -> dict[str, Any] | None:
        value: dict[str, Any] | None = proposal["value"]
        trusted = self._restoring or id(value) in self._trusted_ids
        return None if value is None else _to_wire(value, trusted)

    @property
    def payload(self) -> dict[str, Any]:
        """The drawn graph as an expanded GraphPayload (decoded from the wire form once)."""
        wire, expanded = self._expanded
        if wire is not self.graph or expanded is None:
            expanded = decode(self.graph)
            self._expanded = (self.graph, expanded)
        return expanded

    @property
    def compare_payload(self) -> dict[str, Any] | None:
        """The side-by-side graph as an expanded GraphPayload, or None."""
        return None if self.compare is None else decode(self.compare)

    @property
    def nodes(self) -> list[dict[str, Any]]:
        """The drawn graph's nodes, expanded."""
        nodes: list[dict[str, Any]] = self.payload["nodes"]
        return nodes

    def set_graph(
        self,
        graph: dict[str, Any],
        values: Mapping[str, Any] | None = None,
        current: Collection[str] = (),
    ) -> None:
        """Replace the drawn graph and the values the inspector can ask for (`current`: the
        ids whose value is a leaf's current one)."""
        self.graph = graph
        self._values = dict(values or {})
        self._provenance = Provenance(self._values, current)

    # ---- inspector -------------------------------------------------------------------------
    def inspect(self, node_id: str) -> tuple[dict[str, Any], list[bytes]]:
        """The InspectReply body for a node (without request id) and its binary buffers."""
        buffers: list[bytes] = []
        held = self._values.get(node_id)
        if held is None:
            known = any(node["id"] == node_id for node in self.nodes)
            error = None if known else f"no node {node_id!r} in this graph"
            empty: dict[str, Any] = {"node_id": node_id, "value": None, "grad": None}
            empty["error"] = error
            return empty | self._provenance.describe(node_id, None), buffers
        grad = getattr(held, "grad", None)
        reply: dict[str, Any] = {
            "node_id": node_id,
            "value": summarize(host_array(held), buffers),
            "grad": summarize(host_array(grad), buffers) if grad is not None else None,
            "error": None,
        }
        return reply | self._provenance.describe(node_id, held), buffers

    def _request_handlers(self) -> dict[str, RequestHandler]:
        return {"inspect": self._answer_inspect}

    def _answer_inspect(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        """An InspectReply to a valid InspectRequest (a malformed one raises ProtocolError)."""
        validate_message("InspectRequest", request)
        body, buffers = self.inspect(request["node_id"])
        message = {"kind": "inspect_reply", "request_id": request["request_id"], **body}
        validate_message("InspectReply", message)
        return message, buffers

    # ---- display ---------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
        bundle[MIME_TYPE] = {
            "version": PROTOCOL_VERSION,
            "graph": self.graph,
            "compare": self.compare,
            "model_id": self.model_id,
            "title": self.title,
        }
        svg = render_svg(self.payload)
        if svg is not None:
            bundle["image/svg+xml"] = svg
        title = self.title or self.graph.get("title", "graph")
        bundle["text/plain"] = f"<vizflow graph {title!r}: {self.graph['nodes']['count']} nodes>"
        return bundle
