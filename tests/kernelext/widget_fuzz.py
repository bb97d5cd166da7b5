"""A fuzzer for browser-to-kernel widget messages, shared by the test and the benchmark script.

Widgets are built normally; their comm comes from `comm.create_comm`, which the `comm`
package leaves to be replaced, so `recording_comms()` swaps in a comm that keeps what the
kernel would publish. Messages enter where the kernel's CommManager hands them over,
`widget.comm.handle_msg(msg)`. Each message is a valid one from a widget's corpus,
mutated a few times, or random JSON in a message-shaped envelope; each is classified as
accepted, rejected clearly (an error sent, state unchanged) or other (anything else: an
exception that escaped, a rejection that changed state, a missing or invalid or oversized
reply, an accepted graph that does not decode).
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import comm
from comm.base_comm import BaseComm
from jupyter_client.session import json_packer

import vizflow as vf
from vizflow_kernelext import GraphViewer, payload_from_tensor
from vizflow_kernelext.payload.compact import encode
from vizflow_kernelext.protocol import validate_graph_payload, validate_message

NOTICE_LIMIT = 2048  # characters of an error notice, as JSON
REPLY_SLACK = 2048  # a state reply may carry the whole state, plus this
REPLY_DEFINITIONS = {
    "error": "ErrorReply",
    "state_rejected": "StateRejected",
    "inspect_reply": "InspectReply",
}


class RecordingComm(BaseComm):
    """A comm that keeps every message the kernel side publishes instead of sending it
    (after packing it as the kernel's session would, so unsendable text raises)."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[str, Any, list[Any]]] = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        json_packer(data)  # what the kernel's session does: raises for unsendable text
        self.sent.append((msg_type, data, list(buffers or [])))


@contextmanager
def recording_comms() -> Iterator[None]:
    """Widgets made inside get a RecordingComm (the comm package's create_comm is swapped)."""
    original = comm.create_comm
    comm.create_comm = RecordingComm
    try:
        yield
    finally:
        comm.create_comm = original


def comm_message(data: Any, buffers: list[Any] | None = None) -> dict[str, Any]:
    """A comm_msg as the kernel's CommManager hands it to the comm."""
    return {
        "header": {"msg_type": "comm_msg"},
        "content": {"comm_id": "fuzz", "data": data},
        "buffers": buffers or [],
    }


# ---- the GraphViewer's corpus --------------------------------------------------------------


def _other_compact() -> dict[str, Any]:
    """A second valid graph with foreign ids and dangling references (negative refs)."""
    x = vf.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True, name="x")
    out = (x * 2.0).tanh().sum()
    out.backward()
    payload = payload_from_tensor(out)
    payload["nodes"][0]["id"] = "first"
    for edge in payload["edges"]:
        if edge["source"] == "n0":
            edge["source"] = "first"
    payload["outputs"].append("nowhere")
    payload["edges"][-1]["dtype"] = "int8"
    payload["nodes"][1]["forward_of"] = "elsewhere"
    validate_graph_payload(payload)
    return encode(payload)


def make_graph_viewer() -> GraphViewer:
    """A live viewer of a small eager graph whose nodes hold values and gradients."""
    x = vf.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="known")
    out = (x * 2.0).sum()
    out.backward()
    return vf.show(out)


def graph_viewer_corpus(viewer: GraphViewer) -> list[tuple[dict[str, Any], list[Any]]]:
    """Valid messages (data, buffers) a GraphViewer's browser side sends."""
    other = _other_compact()
    ids = [node["id"] for node in viewer.nodes]
    return [
        ({"method": "update", "state": {"graph": other}}, []),
        ({"method": "update", "state": {"graph": viewer.graph}}, []),
        ({"method": "update", "state": {"compare": other}}, []),
        ({"method": "update", "state": {"compare": None}}, []),
        ({"method": "update", "state": {"height": "300px", "layout_direction": "DOWN"}}, []),
        ({"method": "update", "state": {"layout_direction": None}}, []),
        ({"method": "update", "state": {"tooltip": "t"}, "buffer_paths": []}, []),
        ({"method": "request_state"}, []),
        *(
            (
                {"method": "custom", "content": {"kind": "inspect", "request_id": i, "node_id": n}},
                [],
            )
            for i, n in enumerate([*ids, "n999"])
        ),
        (
            {"method": "update", "state": {"height": "1px"}, "buffer_paths": [["height"]]},
            [b"\x00\x01"],
        ),
    ]


@dataclass
class WidgetCase:
    """One widget type under fuzzing: how to make one and what valid messages look like."""

    name: str
    make: Callable[[], Any]
    corpus: Callable[[Any], list[tuple[dict[str, Any], list[Any]]]]


WIDGET_CASES = [WidgetCase("GraphViewer", make_graph_viewer, graph_viewer_corpus)]


# ---- mutation ------------------------------------------------------------------------------

_ATOMS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    7,
    2**31,
    2**53,
    2**70,
    -(2**70),
    1.5,  # no NaN or infinity: a browser's JSON cannot hold them
    "",
    "n0",
    "x" * 5000,
    "a\x00b\x07\ufffe\uffff\ud800",
    "IPY_MODEL_nope",
    "columns-1",
    "1.0",
    "../../etc/passwd",
    {},
    [],
    [[[[]]]],
    {"kind": "inspect"},
]


def _random_json(rng: random.Random, depth: int = 3) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.5:
        return copy.deepcopy(rng.choice(_ATOMS))
    if roll < 0.75:
        return [_random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    keys = ["graph", "compare", "kind", "request_id", "node_id", "method", "state", "x"]
    return {rng.choice(keys): _random_json(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def _containers(tree: Any, out: list[Any]) -> list[Any]:
    if isinstance(tree, dict | list):
        out.append(tree)
        for child in tree.values() if isinstance(tree, dict) else tree:
            _containers(child, out)
    return out


def _mutate_value(rng: random.Random, value: Any) -> Any:
    if type(value) is int and rng.random() < 0.6:
        return rng.choice([value + 1, value - 1, -value - 1, value + 1000, value * 2**40])
    if isinstance(value, list) and value and rng.random() < 0.5:
        return rng.choice([value[:-1], [*value, value[-1]], value[::-1]])
    if isinstance(value, str) and rng.random() < 0.5:
        return value + rng.choice(["\x01", "\ud800", "/..", "%2e%2e", "\uffff"])
    return _random_json(rng, 2)


def mutate(rng: random.Random, data: Any, rounds: int) -> Any:
    """`data` (copied) with `rounds` random edits somewhere in its tree."""
    data = copy.deepcopy(data)
    for _ in range(rounds):
        target = rng.choice(_containers(data, []))
        if isinstance(target, dict):
            roll = rng.random()
            if target and roll < 0.7:
                key = rng.choice(list(target))
                if roll < 0.15:
                    del target[key]
                else:
                    target[key] = _mutate_value(rng, target[key])
            else:
                target[rng.choice(["x", "kind", "request_id", "state", "0", "99"])] = _random_json(
                    rng, 2
                )
        elif target:
            i = rng.randrange(len(target))
            if rng.random() < 0.2:
                del target[i]
            else:
                target[i] = _mutate_value(rng, target[i])
        else:
            target.append(_random_json(rng, 2))
    return data


def random_message(rng: random.Random) -> dict[str, Any]:
    """Random JSON at some level of a comm message's envelope."""
    level = rng.randrange(4)
    if level == 0:
        return rng.choice([_random_json(rng), {"content": _random_json(rng)}])
    if level == 1:
        return {"content": {"data": _random_json(rng)}, "buffers": []}
    method = rng.choice(["update", "custom", "request_state", "bogus", None, 3])
    data = {"method": method, "state": _random_json(rng), "content": _random_json(rng)}
    buffers = [b"\x00" * rng.randrange(4)] if rng.random() < 0.2 else []
    if buffers and rng.random() < 0.5:
        data["buffer_paths"] = _random_json(rng, 2)
    return comm_message(data, buffers)


# ---- running and judging -------------------------------------------------------------------


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=lambda b: "b" * len(bytes(b))))


def _state_text(widget: Any) -> str:
    return json.dumps(widget.get_state(), sort_keys=True, default=repr)


@dataclass
class FuzzCounts:
    """What happened to the messages sent: counts, the slowest message, the first failures."""

    tried: int = 0
    accepted: int = 0
    rejected: int = 0
    other: int = 0
    slowest_s: float = 0.0
    largest_notice: int = 0
    failures: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"tried {self.tried} / rejected clearly {self.rejected} / other {self.other} "
            f"(accepted {self.accepted}; slowest {self.slowest_s * 1000:.1f} ms, "
            f"largest error notice {self.largest_notice} chars)"
        )


def _judge(widget: Any, msg: Any, sent: list[Any], before: str, input_size: int) -> str:
    """'accepted', 'rejected', or what went wrong."""
    custom = [data["content"] for kind, data, _ in sent if data.get("method") == "custom"]
    for reply in custom:
        definition = REPLY_DEFINITIONS.get(reply.get("kind"))
        if definition is None:
            return f"unknown reply kind {reply.get('kind')!r}"
        validate_message(definition, reply)
    after = _state_text(widget)
    bound = max(input_size, len(after), len(before)) + REPLY_SLACK
    for _, data, _ in sent:
        if _json_size(data) > bound:
            return f"a reply of {_json_size(data)} chars (bound {bound})"
    notices = [r for r in custom if r["kind"] in ("error", "state_rejected")]
    if any(_json_size(n) > NOTICE_LIMIT for n in notices):
        return "an error notice over the size limit"
    content = msg.get("content") if isinstance(msg, dict) else None
    data = content.get("data") if isinstance(content, dict) else None
    is_request = isinstance(data, dict) and data.get("method") == "custom"
    if is_request and len(custom) != 1:
        return f"a request got {len(custom)} replies"
    if notices or any(r.get("error") for r in custom):
        if after != before:
            return "rejected, but the state changed"
        if not all(r["error"] for r in notices):
            return "an empty error notice"
        return "rejected"
    if after != before:
        validate_graph_payload(widget.payload)
        if widget.compare_payload is not None:
            validate_graph_payload(widget.compare_payload)
    return "accepted"


def run_fuzz(case: WidgetCase, count: int, seed: int, time_limit_s: float = 2.0) -> FuzzCounts:
    """Send `count` messages to one widget of `case`; classify each (see module doc)."""
    rng = random.Random(seed)
    with recording_comms():
        widget = case.make()
    channel: RecordingComm = widget.comm
    corpus = case.corpus(widget)
    counts = FuzzCounts()
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            data, buffers = rng.choice(corpus)
            msg: Any = comm_message(copy.deepcopy(data), list(buffers))
        elif roll < 0.8:
            data, buffers = rng.choice(corpus)
            msg = comm_message(mutate(rng, data, rng.randint(1, 3)), list(buffers))
        else:
            msg = random_message(rng)
        input_size = _json_size(msg)
        before = _state_text(widget)
        channel.sent.clear()
        start = time.perf_counter()
        try:
            channel.handle_msg(msg)
            elapsed = time.perf_counter() - start
            verdict = _judge(widget, msg, channel.sent, before, input_size)
        except Exception as exc:
            elapsed = time.perf_counter() - start
            verdict = f"raised {type(exc).__name__}: {str(exc)[:200]}"
        if elapsed > time_limit_s:
            verdict = f"took {elapsed:.2f} s"
        counts.tried += 1
        counts.slowest_s = max(counts.slowest_s, elapsed)
        for _, data, _ in channel.sent:
            content = data.get("content") if isinstance(data, dict) else None
            if isinstance(content, dict) and content.get("kind") in ("error", "state_rejected"):
                counts.largest_notice = max(counts.largest_notice, _json_size(content))
        if verdict == "accepted":
            counts.accepted += 1
        elif verdict == "rejected":
            counts.rejected += 1
        else:
            counts.other += 1
            counts.reasons[verdict.split(":")[0]] += 1
            if len(counts.failures) < 5:
                counts.failures.append(
                    f"{verdict}\n  message: {_json_size(msg)} chars {msg!r:.300}"
                )
    return counts
