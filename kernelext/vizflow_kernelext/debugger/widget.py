"""The debugger widget's kernel side: the session's graph, state and controls for the browser.

Synced traits: `graph` (the CompactGraph of the debugged graph, like GraphViewer's),
`session` (a DebugSessionState, pushed on every change of state or position) and `height`.
A request's own change of state goes with its reply instead, as a DebugSessionPatch (one
message, with only the timeline steps the browser does not hold yet); the trait is set to
the same state without being sent again, so a reloaded page gets it whole.
The browser controls the session with custom requests (DebugCommand, DebugBreakpointRequest,
DebugSetValueRequest, DebugCheckGradRequest, InspectRequest), each validated against the
protocol schema and answered once: a DebugReply / InspectReply, or an ErrorReply with the
session unchanged. `graph` and `session` are the kernel's to set: browser updates of them are
refused whole (GuardedWidget).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import traitlets

from vizflow_engine.debug import DebugSession
from vizflow_engine.graph.ir import Value
from vizflow_kernelext.debugger.commands import (
    change_breakpoint,
    check_grad,
    run_command,
    set_value,
)
from vizflow_kernelext.debugger.state import session_state
from vizflow_kernelext.debugger.timeline import RecentSteps, Sent, session_patch
from vizflow_kernelext.payload import build_from_graph
from vizflow_kernelext.payload.compact import encode
from vizflow_kernelext.protocol import validate_message
from vizflow_kernelext.summaries import summarize
from vizflow_kernelext.widgets.graph_viewer import MODULE_NAME, MODULE_VERSION
from vizflow_kernelext.widgets.guard import GuardedWidget, RejectedValue, Reply, RequestHandler
from vizflow_kernelext.wire_text import wire_safe

LIVE_PUSH_S = 0.5  # how often a running session's state is sent
INPUTS_SENT = 4  # the inspector shows this many of a node's inputs
Action = Callable[[DebugSession, dict[str, Any]], dict[str, Any] | None]


class DebuggerWidget(GuardedWidget):
    """Step through a DebugSession in the browser (graph, toolbar, timeline, inspector)."""

    _model_name = traitlets.Unicode("DebuggerModel").tag(sync=True)
    _view_name = traitlets.Unicode("DebuggerView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    graph = traitlets.Dict().tag(sync=True)
    session = traitlets.Dict().tag(sync=True)
    height = traitlets.Unicode("640px").tag(sync=True)
    _unsubscribe: Callable[[], None] | None = None  # set once observing the session
    _answering: threading.Thread | None = None  # the thread carrying out a request, if any
    _live: threading.Thread | None = None  # sends a running session's progress
    _quiet = False  # set `session` without sending it (a reply carries it)

    def __init__(self, debug_session: DebugSession, **kwargs: Any) -> None:
        self._kernel_sets = True  # the traits below come from the kernel, not the browser
        # One thread at a time sets and sends `session`; a state is made before taking the
        # lock (making it may wait for the session's own lock, which a thread publishing a
        # change holds while it waits for this one), numbered in the order made: an older
        # state than the one sent is not sent after it.
        self._send_lock = threading.Lock()
        self._made = itertools.count(1)
        self._sent_number = 0
        built = build_from_graph(debug_session.graph, title=debug_session.graph.name)
        wanted = set(debug_session.node_names) | {
            v.name for v in (*debug_session.graph.inputs, *debug_session.graph.variables)
        }
        self.node_ids = {n["name"]: n["id"] for n in built.payload["nodes"] if n["name"] in wanted}
        self.debug_session = debug_session
        self._recent = RecentSteps()
        super().__init__(graph=wire_safe(encode(built.payload)), **kwargs)
        _, state, self._sent = self._state()
        self.session = state
        self._kernel_sets = False
        self._unsubscribe = debug_session.observe(self._push)

    def _push(self, _session: DebugSession) -> None:
        """Send the session's state (called on every change, from any thread); while a request
        is carried out, its own thread's changes go out once, with its reply."""
        if self._answering is threading.current_thread():
            return
        self._send_state()

    def _state(self) -> tuple[int, dict[str, Any], Sent]:
        """The session's state numbered in the order made, and its recent steps as sent in it."""
        number = next(self._made)
        recent = self._recent.json(self.debug_session.history)
        return number, session_state(self.debug_session, self.node_ids, recent), recent

    def _send_state(self) -> None:
        """Send the session's state; while it runs, again every LIVE_PUSH_S (progress, losses)."""
        number, state, recent = self._state()
        with self._send_lock:
            if number < self._sent_number:
                return  # a newer state went out meanwhile
            self._sent_number, self._sent = number, recent
            self._set_session(state)
            self._keep_live(state)

    def _set_session(self, state: dict[str, Any], quiet: bool = False) -> None:
        """Set the `session` trait (quiet: without sending it)."""
        self._kernel_sets = True
        self._quiet = quiet
        try:
            self.session = state
        finally:
            self._kernel_sets = False
            self._quiet = False

    def _keep_live(self, state: dict[str, Any]) -> None:
        """While the session runs, have its state sent every LIVE_PUSH_S."""
        live = self._live
        if state["state"] == "running" and (live is None or not live.is_alive()):
            self._live = threading.Thread(
                target=self._push_while_running, name="vizflow-debug-live", daemon=True
            )
            self._live.start()

    def send_state(self, key: str | list[str] | None = None) -> None:
        """Send traits to the browser, except a `session` that a reply carries."""
        if self._quiet and key == "session":
            return
        super().send_state(key)

    def send(self, content: Any, buffers: Any = None) -> None:
        """Send a message; a DebugReply goes with the session's state after its request (a
        DebugSessionPatch), made and sent under the send lock so that states arrive in order."""
        if not (isinstance(content, dict) and content.get("kind") == "debug_reply"):
            super().send(content, buffers)
            return
        number, state, recent = self._state()
        with self._send_lock:
            if number < self._sent_number:  # a newer state went out meanwhile: that one
                state, recent = self.session, self._sent
            self._sent_number = max(number, self._sent_number)
            patch = session_patch(state, recent, self._sent)
            self._set_session(state, quiet=True)
            self._sent = recent
            super().send({**content, "session_patch": wire_safe(patch)}, buffers)
            self._keep_live(state)

    def _push_while_running(self) -> None:
        """Send the state of a running session now and then, so its progress shows live."""
        while True:
            time.sleep(LIVE_PUSH_S)
            if self.debug_session.state != "running" or self.comm is None:
                return
            self._send_state()

    @traitlets.validate("graph", "session")
    def _kernel_only(self, proposal: Any) -> Any:
        if not (self._kernel_sets or self._restoring):
            raise RejectedValue(f"the debugger's {proposal['trait'].name} is set by the kernel")
        return proposal["value"]

    def close(self) -> None:
        """Stop publishing to this widget, then close it."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()

    # ---- requests ----------------------------------------------------------------------------
    def _request_handlers(self) -> dict[str, RequestHandler]:
        def answer(action: Action) -> RequestHandler:
            return lambda request, _buffers: self._reply(action, request)

        return {
            "debug_command": answer(run_command),
            "debug_breakpoint": answer(change_breakpoint),
            "debug_set_value": answer(set_value),
            "debug_check_grad": answer(check_grad),
            "inspect": self._answer_inspect,
        }

    def _reply(self, action: Action, request: dict[str, Any]) -> Reply:
        self._answering = threading.current_thread()
        try:
            result = action(self.debug_session, request)
        finally:
            self._answering = None
        message: dict[str, Any] = {
            "kind": "debug_reply",
            "request_id": request["request_id"],
            "state": self.debug_session.state,
            "result": result,
        }
        buffers: list[bytes] = []
        try:
            if request["kind"] == "debug_command":
                values = self._current_values(buffers)
                if values:
                    message["values"] = values
            validate_message("DebugReply", message)
        except Exception:
            self._send_state()  # the error's reply carries no state: send the change now
            raise
        return message, buffers

    def _current_values(self, buffers: list[bytes]) -> dict[str, Any]:
        """Summaries of the node paused at and of its inputs, by GraphNode id (those the
        session still holds); empty when not paused."""
        session = self.debug_session
        cur = session.current if session.state == "paused" else None
        if cur is None:
            return {}
        node = session.plan.instrs[cur.index].node
        inputs = [x.name for x in node.inputs if isinstance(x, Value)][:INPUTS_SENT]
        names = [cur.name, *inputs]
        out: dict[str, Any] = {}
        for name in names:
            node_id = self.node_ids.get(name)
            if node_id is None or node_id in out:
                continue
            kept = len(buffers)
            try:
                out[node_id] = summarize(session.value(name), buffers)
            except LookupError:
                # Not held any more: the inspector asks for it and shows the kernel's error.
                del buffers[kept:]
        return out

    def _answer_inspect(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        """An InspectReply with the value of a node at the moment the session is at."""
        validate_message("InspectRequest", request)
        node_id = request["node_id"]
        names = {i: n for n, i in self.node_ids.items()}
        buffers: list[bytes] = []
        value = None
        error = None
        if node_id not in names:
            error = f"no node {node_id!r} in this debugger's graph"
        elif self.debug_session.state == "idle":
            error = "the session has not started: step first"
        else:
            held = self.debug_session.value(names[node_id])
            value = None if held is None else summarize(held, buffers)
        message = {
            "kind": "inspect_reply",
            "request_id": request["request_id"],
            "node_id": node_id,
            "value": value,
            "grad": None,
            "error": error,
        }
        validate_message("InspectReply", message)
        return message, buffers
