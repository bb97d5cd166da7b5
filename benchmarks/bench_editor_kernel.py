"""The editor's kernel-side latency on a 500-node document: a wiring probe (sent when a wire
drag starts) and a connect (sent when it is dropped: applied, shapes and node states redone
over the changed nodes' downstream cone, the patch of what changed packed as JSON and sent,
the reply with its inverse sent).

Each figure is one request end to end inside the kernel: the comm message in, the reply and
the document update packed as the kernel's session packs them (no network). The baseline is
the cheapest request the widget answers (an inspect of a node with no value yet), so the
ratios say what the editor's own work costs; the parts are timed alone to show where it goes,
beside what a connect cost when the whole document was sent (whole inference, document
build and JSON: the resync path now). The browser round trip adds the transport and the
view's redraw on top (measured in the browser benchmark).

Then the same connect through a real kernel (jupyter_client → kernel → iopub, on this
machine: the browser's transport without the browser): the time from sending the request to
receiving its reply, the document update having arrived before it.

The document: vf.nn.Sequential of 125 x (Linear(16, 16), ReLU) traced on ("batch", 16):
501 nodes, 125 groups.
Usage: python benchmarks/bench_editor_kernel.py
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench_mlp import interleaved_ms

import vizflow_engine as vf
from tests.kernelext.widget_fuzz import RecordingComm, comm_message, recording_comms
from vizflow_engine.editing import from_graph, infer_all
from vizflow_kernelext.editor import EditorWidget
from vizflow_kernelext.editor.document import document_json
from vizflow_kernelext.editor.sync import DocumentSync

BLOCKS = 125
WHOLE_PARTS = ("shape inference, whole", "document build, whole", "JSON of the document")


def document() -> Any:
    blocks: list[Any] = []
    for _ in range(BLOCKS):
        blocks += [vf.nn.Linear(16, 16), vf.nn.ReLU()]
    model = vf.nn.Sequential(*blocks)
    return from_graph(vf.trace(lambda x: model(x), vf.spec(("batch", 16))))


def main() -> None:
    with recording_comms():
        widget = EditorWidget(document())
    doc = widget.doc
    channel: RecordingComm = widget.comm
    relus = [n.id for n in doc.ordered() if n.op == "relu"]
    mid = relus[len(relus) // 2]
    into = doc.incoming()[mid][0]

    patches: list[dict[str, Any]] = []

    def request(content: dict[str, Any]) -> dict[str, Any]:
        channel.sent.clear()
        channel.handle_msg(
            comm_message({"method": "custom", "content": {"request_id": 1, **content}})
        )
        patches[:] = [d["content"] for _, d, _ in channel.sent[:-1] if d["method"] == "custom"]
        reply: dict[str, Any] = channel.sent[-1][1]["content"]
        return reply

    def baseline() -> None:
        request({"kind": "inspect", "node_id": mid})

    def probe() -> None:
        request({"kind": "editor_probe", "source": relus[10], "source_port": 0})

    other = relus[5]

    def connect_and_back() -> None:
        """Rewire mid's input to another relu, then the reply's inverse puts it back."""
        reply = request(
            {
                "kind": "editor_command",
                "base_version": doc.version,
                "commands": [
                    {
                        "cmd": "connect",
                        "source": other,
                        "source_port": 0,
                        "target": mid,
                        "target_port": 0,
                    }
                ],
            }
        )
        assert reply["kind"] == "editor_command_reply", reply
        back = request(
            {"kind": "editor_command", "base_version": doc.version, "commands": reply["inverse"]}
        )
        assert back["kind"] == "editor_command_reply", back
        assert doc.incoming()[mid][0].source == into.source

    targets = request({"kind": "editor_probe", "source": relus[10], "source_port": 0})["targets"]
    print(
        f"document: {len(doc.nodes)} nodes, {len(doc.edges)} wires, {len(doc.groups)} groups; "
        f"a probe answers {len(targets)} ports"
    )
    whole = json.dumps(widget.document)
    connect_and_back()
    patch = json.dumps(patches[0])
    print(
        f"a connect's patch: {len(patch) / 1e3:.1f} kB of JSON "
        f"(the whole document: {len(whole) / 1e3:.0f} kB)"
    )
    ms = interleaved_ms(
        {
            "baseline: inspect request": baseline,
            "probe (drag start)": probe,
            "connect + its inverse (2 requests)": connect_and_back,
            "  part: JSON of a connect's patch": lambda: json.dumps(patches[0]),
            "  part: shape inference, whole": lambda: infer_all(doc),
            "  part: document build, whole": lambda: document_json(doc, widget.run_record),
            "  part: JSON of the document": lambda: json.dumps(widget.document),
            "resync: the whole document kept": lambda: DocumentSync().reset(doc, widget.run_record),
        },
        rounds=5,
        reps=9,
    )
    base = ms["baseline: inspect request"]
    for name, value in ms.items():
        print(f"{name:38s} {value:8.2f} ms  ({value / base:6.1f}x baseline)")
    whole_push = sum(ms[f"  part: {p}"] for p in WHOLE_PARTS)
    print(
        f"connect, one request: {ms['connect + its inverse (2 requests)'] / 2:.2f} ms; "
        f"a whole-document push alone (as each connect made before): {whole_push:.2f} ms"
    )


KERNEL_SETUP = f"""
import vizflow as vf
from vizflow_engine.editing import from_graph
blocks = []
for _ in range({BLOCKS}):
    blocks += [vf.nn.Linear(16, 16), vf.nn.ReLU()]
model = vf.nn.Sequential(*blocks)
ed = vf.Editor(from_graph(vf.trace(lambda x: model(x), vf.spec(("batch", 16)))))
relus = [n.id for n in ed.doc.ordered() if n.op == "relu"]
print(ed.model_id, relus[62], relus[5], end="")
"""


def through_a_kernel(rounds: int = 15) -> None:
    """Median ms from sending a connect (and its inverse) to receiving each reply."""
    import statistics
    import time

    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(startup_timeout=60)
    try:
        out: list[str] = []
        client.execute_interactive(
            KERNEL_SETUP,
            timeout=120,
            output_hook=lambda m: out.append(m["content"].get("text", "")),
        )
        comm_id, mid, other = "".join(out).split()

        def send(content: dict[str, Any]) -> tuple[float, dict[str, Any]]:
            msg = client.session.msg(
                "comm_msg",
                {
                    "comm_id": comm_id,
                    "data": {"method": "custom", "content": {"request_id": 1, **content}},
                },
            )
            start = time.perf_counter()
            client.shell_channel.send(msg)
            while True:
                m = client.get_iopub_msg(timeout=30)
                data = m["content"].get("data", {}) if m["msg_type"] == "comm_msg" else {}
                if (
                    m["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                    and data.get("method") == "custom"
                    and data["content"].get("kind") != "editor_patch"  # sent before the reply
                ):
                    return (time.perf_counter() - start) * 1e3, data["content"]

        times: list[float] = []
        send({"kind": "editor_probe", "source": other, "source_port": 0})  # warm up
        probes = [
            send({"kind": "editor_probe", "source": other, "source_port": 0})[0]
            for _ in range(rounds)
        ]
        for _ in range(rounds):
            ms, reply = send(
                {
                    "kind": "editor_command",
                    "base_version": 0,
                    "commands": [
                        {
                            "cmd": "connect",
                            "source": other,
                            "source_port": 0,
                            "target": mid,
                            "target_port": 0,
                        }
                    ],
                }
            )
            assert reply["kind"] == "editor_command_reply", reply
            times.append(ms)
            ms, _ = send(
                {"kind": "editor_command", "base_version": 0, "commands": reply["inverse"]}
            )
            times.append(ms)
        print(
            f"through a real kernel: probe {statistics.median(probes):.1f} ms, "
            f"connect {statistics.median(times):.1f} ms median round trip ({2 * rounds} requests)"
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
    through_a_kernel()
