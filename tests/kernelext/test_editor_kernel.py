"""The editor through a real kernel: a connect sent as the browser sends it is answered on
iopub with its reply and the document patch, with no traceback; a Python edit in a cell
sends a patch; the widget's state asked for again is the document now; a bad request gets
an ErrorReply; a save reply carries the .npz buffer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel

from tests.kernelext.editor_patches import apply_patch
from tests.kernelext.test_widget_kernel import _collect, _custom, _deliver, _quiet

SETUP = """
import vizflow as vf
ed = vf.Editor()
x = ed.placeholder("x", ("batch", 4))
w = ed.variable("w", (4, 3), init="xavier_uniform")
v = ed.variable("v", (5, 3))
print(ed.model_id, end="")
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[tuple[BlockingKernelClient, str]]:
    manager, client = start_new_kernel(startup_timeout=60)
    try:
        out: list[str] = []
        client.execute_interactive(SETUP, timeout=60, output_hook=lambda m: _collect(m, out))
        yield client, "".join(out)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _documents(caused: list[Any], held: dict[str, Any]) -> list[dict[str, Any]]:
    """The documents the browser holds after each document update or patch in `caused`,
    starting from `held`."""
    docs = []
    for m in caused:
        data = m["content"]["data"] if m["msg_type"] == "comm_msg" else {}
        if data.get("method") == "update" and "document" in data["state"]:
            held = data["state"]["document"]
        elif data.get("method") == "custom" and data["content"].get("kind") == "editor_patch":
            held = apply_patch(held, data["content"])
        else:
            continue
        docs.append(held)
    return docs


def _replies(caused: list[Any]) -> list[dict[str, Any]]:
    return [c for c in _custom(caused) if c.get("kind") != "editor_patch"]


def _ids(doc: dict[str, Any]) -> dict[str, str]:
    return {n["name"]: n["id"] for n in doc["nodes"]}


def _document(client: BlockingKernelClient, comm_id: str) -> dict[str, Any]:
    caused = _deliver(client, comm_id, {"method": "request_state"})
    states = [m["content"]["data"]["state"] for m in caused if m["msg_type"] == "comm_msg"]
    doc: dict[str, Any] = states[-1]["document"]
    return doc


def test_wiring_through_the_kernel_shows_shapes_and_errors(
    kernel: tuple[BlockingKernelClient, str],
) -> None:
    client, comm_id = kernel
    doc = _document(client, comm_id)
    n = _ids(doc)
    add = {
        "cmd": "add_node",
        "kind": "op",
        "op": "matmul",
        "position": {"x": 0, "y": 0},
        "id": "mm",
    }
    wires = [
        {"cmd": "connect", "source": n["x"], "source_port": 0, "target": "mm", "target_port": 0},
        {"cmd": "connect", "source": n["v"], "source_port": 0, "target": "mm", "target_port": 1},
    ]
    request = {
        "kind": "editor_command",
        "request_id": 3,
        "base_version": doc["version"],
        "commands": [add, *wires],
    }
    caused = _deliver(client, comm_id, {"method": "custom", "content": request})
    assert _quiet(caused), caused
    (reply,) = _replies(caused)
    assert reply["kind"] == "editor_command_reply" and reply["created"]["nodes"] == ["mm"]
    pushed = _documents(caused, doc)[-1]
    mm = next(x for x in pushed["nodes"] if x["id"] == "mm")
    assert mm["state"] == "error" and mm["error"]["message"].startswith(
        "matmul: (batch, 4) @ (5, 3)"
    )
    fix = {
        "kind": "editor_command",
        "request_id": 4,
        "base_version": reply["version"],
        "commands": [
            {"cmd": "connect", "source": n["w"], "source_port": 0, "target": "mm", "target_port": 1}
        ],
    }
    caused = _deliver(client, comm_id, {"method": "custom", "content": fix})
    now = _documents(caused, pushed)[-1]
    mm = next(x for x in now["nodes"] if x["id"] == "mm")
    assert mm["state"] == "valid" and mm["outputs"][0]["shape"] == ["batch", 3]
    assert _document(client, comm_id) == now  # a page reloaded gets the document now


def test_a_python_edit_pushes_the_document(kernel: tuple[BlockingKernelClient, str]) -> None:
    client, comm_id = kernel
    held = _document(client, comm_id)
    msg_id = client.execute('ed.add("relu", "x", name="from_python")')
    pushed = []
    while True:
        m = client.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
        pushed.append(m)
    assert _quiet(pushed), pushed
    names = {n["name"] for n in _documents(pushed, held)[-1]["nodes"]}
    assert "from_python" in names


def test_bad_requests_and_saving(kernel: tuple[BlockingKernelClient, str]) -> None:
    client, comm_id = kernel
    bad = {
        "kind": "editor_load",
        "request_id": 5,
        "text": '{"format": "vizflow.editor", "version": 7}',
    }
    caused = _deliver(client, comm_id, {"method": "custom", "content": bad})
    assert _quiet(caused), caused
    (reply,) = _replies(caused)
    assert reply["kind"] == "error" and reply["error"].startswith("$.version")
    assert _documents(caused, {}) == []
    _deliver(
        client,
        comm_id,
        {
            "method": "custom",
            "content": {"kind": "editor_run", "request_id": 6, "inputs": {}, "until": None},
        },
    )
    caused = _deliver(
        client, comm_id, {"method": "custom", "content": {"kind": "editor_save", "request_id": 7}}
    )
    saved = [
        m
        for m in caused
        if m["msg_type"] == "comm_msg"
        and m["content"]["data"].get("method") == "custom"
        and m["content"]["data"]["content"]["kind"] == "editor_save_reply"
    ]
    assert saved[0]["content"]["data"]["content"]["has_arrays"] and len(saved[0]["buffers"]) == 1
