"""The editor widget's kernel side: the editable graph, the palette and the training progress
(`training`) as synced traits, and the browser's requests (EditorCommand, EditorProbe, EditorRun,
EditorTrain, EditorLoad, EditorSave, Inspect), each validated and answered once.

`document`, `palette` and `training` are the kernel's to set: browser updates of them are refused
whole (GuardedWidget). Every change (a browser command or a Python edit) bumps the document's
version and goes to the browser as an EditorDocumentPatch (what changed, a custom message); the
`document` trait is sent whole only when the document is replaced (a file loaded), and an
EditorSyncRequest (a view opened late, or a version gap) is answered with it.
"""

from __future__ import annotations

from typing import Any

import traitlets

from vizflow_engine.editing import (
    Document,
    EditError,
    RunRecord,
    apply_step,
    dumps,
    loads,
    palette,
    probe,
    run,
    train,
)
from vizflow_engine.editing.commands import Step
from vizflow_engine.editing.fileformat import npz_bytes
from vizflow_engine.editing.infer import infer_all
from vizflow_kernelext.editor.debug_bridge import answer_debug
from vizflow_kernelext.editor.requests import feeds, user_namespace
from vizflow_kernelext.editor.sync import DocumentSync
from vizflow_kernelext.protocol import validate_message
from vizflow_kernelext.summaries import summarize
from vizflow_kernelext.widgets.graph_viewer import MODULE_NAME, MODULE_VERSION
from vizflow_kernelext.widgets.guard import GuardedWidget, RejectedValue, Reply, RequestHandler
from vizflow_kernelext.wire_text import wire_safe

JSON_TRAITS = frozenset({"document", "palette", "training"})
"""Traits the kernel builds from plain JSON: they never hold binary buffers."""
IDLE_TRAIN: dict[str, Any] = {"running": False, "step": 0, "steps": 0, "losses": [], "error": None}


class EditorWidget(GuardedWidget):
    """Build and edit a graph in the browser; the kernel holds the document and answers."""

    _model_name = traitlets.Unicode("EditorModel").tag(sync=True)
    _view_name = traitlets.Unicode("EditorView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    document = traitlets.Dict().tag(sync=True)
    palette: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    training = traitlets.Dict().tag(sync=True)
    height = traitlets.Unicode("560px").tag(sync=True)

    def __init__(self, doc: Document | None = None, **kwargs: Any) -> None:
        self.doc = doc if doc is not None else Document()
        self.run_record = RunRecord()
        self.sync = DocumentSync()
        self._kernel_sets = True
        self._quiet = False
        super().__init__(palette=palette(), training=dict(IDLE_TRAIN), **kwargs)
        self.document = self.sync.reset(self.doc, self.run_record)
        self._kernel_sets = False

    @traitlets.validate("document", "palette", "training")
    def _kernel_only(self, proposal: Any) -> Any:
        if not (self._kernel_sets or self._restoring):
            raise RejectedValue(f"the editor's {proposal['trait'].name} is set by the kernel")
        return proposal["value"]

    def _set(self, **traits: Any) -> None:
        """Set kernel-owned traits (each change is sent to the browser)."""
        self._kernel_sets = True
        try:
            for name, value in traits.items():
                setattr(self, name, value)
        finally:
            self._kernel_sets = False

    def send_state(self, key: Any = None) -> None:
        """As ipywidgets sends state, except that the kernel-built JSON traits skip its search
        for binary buffers (a walk over every object of the document: ~15 ms at 500 nodes,
        a third of a connect's time in the kernel)."""
        keys = {key} if isinstance(key, str) else None if key is None else set(key)
        if self._quiet and keys == {"document"}:
            return  # the browser follows by patches
        if keys is None or not keys <= JSON_TRAITS:
            super().send_state(key)
            return
        state = self.get_state(key=key)
        for name, value in state.items():  # as ipywidgets keeps a browser update's echo check
            if name in self._property_lock:
                self._property_lock[name] = value
        self._send({"method": "update", "state": state, "buffer_paths": []}, buffers=[])

    def push(self, step: Step | None = None, *, if_changed: bool = False) -> None:
        """Send what changed since the last push, after `step` (None: anything may have, the
        run's values too); the `document` trait follows in the kernel without being sent.
        `if_changed`: send nothing when nothing did (after a run or training that failed)."""
        patch = self.sync.patch(self.doc, self.run_record, step)
        if if_changed and not any(
            v for k, v in patch.items() if k not in ("kind", "base_version", "version")
        ):
            return
        self._quiet = True
        try:
            self._set(document=self.sync.document())
        finally:
            self._quiet = False
        self.send(wire_safe(patch))

    def replace(self, doc: Document) -> None:
        """Edit another document (a file opened): its version follows this one's, and it
        is sent whole."""
        doc.version = self.doc.version + 1
        self.doc = doc
        self.run_record = RunRecord()
        self._set(document=self.sync.reset(self.doc, self.run_record))

    # ---- requests ----------------------------------------------------------------------------
    def _request_handlers(self) -> dict[str, RequestHandler]:
        return {
            "editor_command": self._answer_command,
            "editor_sync": self._answer_sync,
            "editor_probe": self._answer_probe,
            "editor_run": self._answer_run,
            "editor_train": self._answer_train,
            "editor_debug": lambda request, _buffers: answer_debug(self.doc, request),
            "editor_load": self._answer_load,
            "editor_save": self._answer_save,
            "inspect": self._answer_inspect,
        }

    def _answer_command(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        validate_message("EditorCommandRequest", request)
        if request["base_version"] > self.doc.version:
            raise EditError(
                f"base_version {request['base_version']} is newer than the kernel's "
                f"document (version {self.doc.version})"
            )
        step = apply_step(self.doc, request["commands"])
        self.push(step)
        reply = {
            "kind": "editor_command_reply",
            "request_id": request["request_id"],
            "version": self.doc.version,
            "inverse": step.inverse,
            "redo": step.redo,
            "created": step.created,
        }
        return reply, []

    def _answer_sync(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        """The whole document, unless the browser already holds this version."""
        validate_message("EditorSyncRequest", request)
        if self.sync.version != self.doc.version:  # the document was changed without a push
            self.push()
        held = request["version"] == self.sync.version
        reply = {
            "kind": "editor_sync_reply",
            "request_id": request["request_id"],
            "version": self.sync.version,
            "document": None if held else self.sync.document(),
        }
        return reply, []

    def _answer_probe(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        validate_message("EditorProbeRequest", request)
        if request["source_port"] != 0:
            raise EditError("a node has one output, port 0")
        current = self.sync.version == self.doc.version
        targets = probe(
            self.doc, request["source"], self.sync.types if current else infer_all(self.doc)
        )
        reply = {
            "kind": "editor_probe_reply",
            "request_id": request["request_id"],
            "targets": [
                {"node": t.node, "port": t.port, "ok": t.ok, "reason": t.reason} for t in targets
            ],
        }
        return reply, []

    def _answer_run(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        validate_message("EditorRunRequest", request)
        given = feeds(request["inputs"], user_namespace())
        try:
            self.run_record = run(self.doc, given, request["until"])
        except Exception:  # it may still have initialised variables (their values shown)
            self.push(if_changed=True)
            raise
        self.push()
        reply = {
            "kind": "editor_run_reply",
            "request_id": request["request_id"],
            "version": self.doc.version,
            "executed": sorted(self.run_record.values),
        }
        return reply, []

    def _answer_train(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        validate_message("EditorTrainRequest", request)
        given = feeds(request.get("inputs", {}), user_namespace())
        losses = self.fit(
            request["loss"], request["optimizer"], request["lr"], request["steps"], given
        )
        reply = {
            "kind": "editor_train_reply",
            "request_id": request["request_id"],
            "version": self.doc.version,
            "losses": losses,
        }
        return reply, []

    def fit(
        self, loss: str, optimizer: str, lr: float, steps: int, given: dict[str, Any]
    ) -> list[float | None]:
        """Train, pushing progress to the `training` trait after every step."""
        curve: list[float | None] = []

        def progress(step: int, value: float) -> None:
            curve.append(value if value == value and abs(value) != float("inf") else None)
            self._set(
                training={
                    **IDLE_TRAIN,
                    "running": True,
                    "step": step,
                    "steps": steps,
                    "losses": list(curve),
                }
            )

        self._set(training={**IDLE_TRAIN, "running": True, "steps": steps})
        try:
            train(self.doc, loss, optimizer, lr, steps, given, progress)
        except Exception as exc:
            self._set(
                training={**IDLE_TRAIN, "steps": steps, "losses": curve, "error": str(exc)[:500]}
            )
            self.push(if_changed=True)  # the steps before the failure changed the variables
            raise
        self._set(training={**IDLE_TRAIN, "step": steps, "steps": steps, "losses": curve})
        self.doc.version += 1
        self.push()
        return curve

    def _answer_load(self, request: dict[str, Any], buffers: list[Any]) -> Reply:
        validate_message("EditorLoadRequest", request)
        arrays = None
        if request.get("has_arrays"):
            if not buffers:
                raise EditError("has_arrays is set but the message carries no buffer")
            arrays = bytes(buffers[0])
        self.replace(loads(request["text"], arrays))
        reply = {
            "kind": "editor_load_reply",
            "request_id": request["request_id"],
            "version": self.doc.version,
        }
        return reply, []

    def _answer_save(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        validate_message("EditorSaveRequest", request)
        text, arrays = dumps(self.doc)
        reply = {
            "kind": "editor_save_reply",
            "request_id": request["request_id"],
            "version": self.doc.version,
            "text": text,
            "has_arrays": bool(arrays),
        }
        return reply, [npz_bytes(arrays)] if arrays else []

    def _answer_inspect(self, request: dict[str, Any], _buffers: list[Any]) -> Reply:
        """An InspectReply with a node's value from the last run."""
        validate_message("InspectRequest", request)
        node_id = request["node_id"]
        buffers: list[bytes] = []
        held = self.run_record.values.get(node_id)
        error = None
        if node_id not in self.doc.nodes:
            error = f"no node {node_id[:70]!r} in this editor"
        elif held is None:
            error = "no value yet: run the graph"
        message = {
            "kind": "inspect_reply",
            "request_id": request["request_id"],
            "node_id": node_id,
            "value": None if held is None else summarize(held, buffers),
            "grad": None,
            "error": error,
        }
        validate_message("InspectReply", message)
        return message, buffers
