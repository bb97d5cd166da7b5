"""Browser messages to a widget never raise into the kernel, and never half-apply.

ipywidgets applies a browser's state update trait by trait; when a value fails it prints
a traceback into the cell and keeps what was already set. A `GuardedWidget` applies an
update whole or not at all: on any failure it restores the previous values, sends them
back (the browser has already shown the rejected ones) and sends a StateRejected message
saying why. Every custom request gets exactly one reply, an ErrorReply when the request
could not be read or answered (`request_id` null when the id itself was unreadable).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import traitlets

from vizflow_kernelext.protocol import ProtocolError
from vizflow_kernelext.wire_text import wire_safe

MAX_ERROR_CHARS = 600
MAX_REQUEST_ID = 2**53 - 1  # JavaScript's largest exact integer

Reply = tuple[dict[str, Any], list[bytes]]
RequestHandler = Callable[[dict[str, Any], list[Any]], Reply]


class RejectedValue(ProtocolError, traitlets.TraitError):
    """A trait value the protocol refuses; a TraitError too, so traitlets rolls back the
    whole update it came in (without notifying observers of the refused value)."""


class MessageError(ValueError):
    """A browser message that is not a well-formed widget message."""


def short(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` cut to `limit` characters, so an error about a huge value stays small."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_id_of(content: Any) -> int | None:
    """The request's id when it is a valid RequestId, else None."""
    rid = content.get("request_id") if isinstance(content, dict) else None
    return rid if type(rid) is int and 0 <= rid <= MAX_REQUEST_ID else None


def error_reply(request_id: int | None, error: str) -> dict[str, Any]:
    """An ErrorReply (protocol definition) with the error cut to a bounded length."""
    return {"kind": "error", "request_id": request_id, "error": short(error)}


def _unpack(msg: Any) -> tuple[dict[str, Any], list[Any]]:
    """The `data` and `buffers` of a comm message, or MessageError."""
    content = msg.get("content") if isinstance(msg, dict) else None
    data = content.get("data") if isinstance(content, dict) else None
    if not isinstance(data, dict):
        raise MessageError("a widget message needs content.data to be an object")
    buffers = msg.get("buffers") or []
    if not isinstance(buffers, list):
        raise MessageError("a widget message's buffers must be a list")
    return data, buffers


def _with_buffers(state: dict[str, Any], paths: Any, buffers: list[Any]) -> None:
    """Put each binary buffer into `state` at its path (as ipywidgets does), checking paths."""
    if not isinstance(paths, list) or len(paths) != len(buffers):
        raise MessageError(
            f"an update names {len(paths) if isinstance(paths, list) else 'no list of'} "
            f"buffer paths for {len(buffers)} buffers"
        )
    for path, buffer in zip(paths, buffers, strict=True):
        if not isinstance(path, list) or not path:
            raise MessageError(f"buffer path {short(repr(path), 80)} is not a non-empty list")
        target: Any = state
        try:
            for key in path[:-1]:
                target = target[key]
            if not isinstance(target, dict | list) or type(path[-1]) not in (str, int):
                raise TypeError
            target[path[-1]] = buffer
        except (KeyError, IndexError, TypeError):
            raise MessageError(f"buffer path {short(repr(path), 80)} leads nowhere") from None


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


class GuardedWidget(widgets.DOMWidget):
    """A DOMWidget whose browser messages are applied whole or refused with a reply."""

    _restoring = False

    def _request_handlers(self) -> dict[str, RequestHandler]:
        """Custom request kind -> handler returning the reply and its buffers."""
        return {}

    def _handle_msg(self, msg: Any) -> None:
        """Apply one message from the browser; whatever it holds, nothing raises from here."""
        try:
            data, buffers = _unpack(msg)
            method = data.get("method")
            if method == "update":
                self._apply_update(data.get("state", {}), data.get("buffer_paths", []), buffers)
            elif method == "request_state":
                self.send_state()
            elif method == "custom":
                self._answer(data.get("content"), buffers)
            else:
                raise MessageError(f"unknown widget message method {short(repr(method), 80)}")
        except Exception as exc:  # the kernel boundary: report, never raise
            self._send_quietly(error_reply(None, f"{type(exc).__name__}: {exc}"))

    def _apply_update(self, state: Any, paths: Any, buffers: list[Any]) -> None:
        if not isinstance(state, dict):
            raise MessageError("an update's state must be an object")
        if paths or buffers:
            _with_buffers(state, paths, buffers)
        keys = [name for name in state if name in self.keys]
        before = {name: getattr(self, name) for name in keys}
        try:
            for name in keys:  # decode references first: a bad one changes nothing
                from_json = self.trait_metadata(name, "from_json")
                if from_json is not None:
                    from_json(state[name], self)
            self.set_state(state)
        except Exception as exc:
            self._restore(before)
            rejected = {"kind": "state_rejected", "traits": keys, "error": short(str(exc))}
            self._send_quietly(rejected)
            return
        self._keep_equal_values(before)

    def _keep_equal_values(self, before: dict[str, Any]) -> None:
        """traitlets stores a value equal to the old one without validating it (`[False]`
        == `[0]`): keep the held value, and correct the browser if the JSON differs."""
        for name, old in before.items():
            new = getattr(self, name)
            if new is not old and new == old:
                self.set_trait(name, old)  # equal, so stored without a notification
                if _json_text(new) != _json_text(old):
                    self.send_state(name)

    def _restore(self, before: dict[str, Any]) -> None:
        """Put back the values an update had; the browser gets each kept value once."""
        changed = [name for name, old in before.items() if getattr(self, name) is not old]
        with self._kept_values():
            for name in changed:
                self.set_trait(name, before[name])  # notifies: sends the kept value
        unchanged = [name for name in before if name not in changed]
        if unchanged:
            self.send_state(unchanged)

    @contextmanager
    def _kept_values(self) -> Iterator[None]:
        """While restoring, validators may trust values this widget already held."""
        self._restoring = True
        try:
            yield
        finally:
            self._restoring = False

    def _answer(self, content: Any, buffers: list[Any]) -> None:
        request_id = request_id_of(content)
        reply: dict[str, Any]
        try:
            kind = content.get("kind") if isinstance(content, dict) else None
            handler = self._request_handlers().get(kind) if isinstance(kind, str) else None
            if handler is None:
                known = ", ".join(sorted(self._request_handlers())) or "none"
                raise MessageError(
                    f"unknown request kind {short(repr(kind), 80)} (this widget answers: {known})"
                )
            reply, out = handler(content, buffers)
        except Exception as exc:
            reply, out = error_reply(request_id, str(exc)), []
        self.send(wire_safe(reply), buffers=out)

    def _send_quietly(self, content: dict[str, Any]) -> None:
        """Send a notice to the browser; a failure to send is logged, not raised."""
        try:
            self.send(wire_safe(content))
        except Exception:
            self.log.warning("vizflow: could not send %r to the browser", content, exc_info=True)
