"""Through a real kernel: a browser message the viewer refuses is answered on iopub, with no
traceback (no `error` or stderr output) and the kernel's widget unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel

SETUP = """
import vizflow as vf
x = vf.tensor([1.0, 2.0], requires_grad=True, name="a")
viewer = vf.show((x * 2.0).sum())
held = viewer.graph
print(viewer.model_id, end="")
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


def _collect(msg: dict[str, Any], out: list[str]) -> None:
    if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
        out.append(msg["content"]["text"])


def _deliver(client: BlockingKernelClient, comm_id: str, data: dict[str, Any]) -> list[Any]:
    """Send one comm_msg as the browser does; return the iopub messages it caused."""
    msg = client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
    client.shell_channel.send(msg)
    caused = []
    while True:
        reply = client.get_iopub_msg(timeout=30)
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            return caused
        caused.append(reply)


def _quiet(caused: list[Any]) -> bool:
    """No traceback and no stderr text among the messages."""
    return not any(
        m["msg_type"] == "error" or (m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
        for m in caused
    )


def _custom(caused: list[Any]) -> list[dict[str, Any]]:
    return [
        m["content"]["data"]["content"]
        for m in caused
        if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "custom"
    ]


def test_a_malformed_request_gets_an_error_reply_and_no_traceback(
    kernel: tuple[BlockingKernelClient, str],
) -> None:
    client, comm_id = kernel
    request = {"kind": "inspect", "request_id": "seven", "node_id": "n0"}
    caused = _deliver(client, comm_id, {"method": "custom", "content": request})
    assert _quiet(caused), caused
    (reply,) = _custom(caused)
    assert reply["kind"] == "error" and reply["request_id"] is None


def test_a_refused_graph_leaves_the_kernels_widget_unchanged(
    kernel: tuple[BlockingKernelClient, str],
) -> None:
    client, comm_id = kernel
    caused = _deliver(client, comm_id, {"method": "update", "state": {"graph": {"x": 1}}})
    assert _quiet(caused), caused
    assert [r["kind"] for r in _custom(caused)] == ["state_rejected"]
    out: list[str] = []
    client.execute_interactive(
        "print(viewer.graph is held, end='')",
        timeout=30,
        output_hook=lambda m: _collect(m, out),
    )
    assert "".join(out) == "True"


def test_an_unreadable_message_gets_an_error_reply_and_no_traceback(
    kernel: tuple[BlockingKernelClient, str],
) -> None:
    client, comm_id = kernel
    caused = _deliver(client, comm_id, {"method": "update", "state": [1, 2]})
    assert _quiet(caused), caused
    assert [r["kind"] for r in _custom(caused)] == ["error"]


def test_a_name_with_a_lone_surrogate_displays(kernel: tuple[BlockingKernelClient, str]) -> None:
    client, _ = kernel
    caused: list[Any] = []
    code = "vf.show((vf.tensor([1.0], requires_grad=True, name='bad\\ud800') * 2.0).sum())"
    reply = client.execute_interactive(code, timeout=60, output_hook=caused.append)
    assert reply["content"]["status"] == "ok" and _quiet(caused), caused
    (shown,) = [m for m in caused if m["msg_type"] == "execute_result"]
    assert "application/vnd.vizflow.graph+json" in shown["content"]["data"]


def test_non_finite_values_show_and_inspect_without_a_json_warning(
    kernel: tuple[BlockingKernelClient, str],
) -> None:
    """A NaN value, a NaN gradient norm and a NaN inspector reply never print
    jupyter_client's "Out of range float values are not JSON compliant" into the cell."""
    client, _ = kernel
    caused: list[Any] = []
    code = (
        "x = vf.tensor([float('nan'), 1.0], requires_grad=True, name='x')\n"
        "y = (x * x).sum()\n"
        "y.backward()\n"
        "nan_viewer = vf.show(y)\n"
        "display(nan_viewer)\n"
        "vf.show(vf.tensor([float('nan')]) * 2)"
    )
    reply = client.execute_interactive(code, timeout=60, output_hook=caused.append)
    assert reply["content"]["status"] == "ok" and _quiet(caused), caused
    out: list[str] = []
    client.execute_interactive(
        "print(nan_viewer.model_id, end='')", timeout=30, output_hook=lambda m: _collect(m, out)
    )
    request = {"kind": "inspect", "request_id": 3, "node_id": "n0"}
    caused = _deliver(client, "".join(out), {"method": "custom", "content": request})
    assert _quiet(caused), caused
    (answer,) = _custom(caused)
    assert answer["kind"] == "inspect_reply" and answer["value"]["nan_count"] == 1
