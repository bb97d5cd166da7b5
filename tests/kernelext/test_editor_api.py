"""Editor from Python: edits go through the same checked commands and push the document
(the UI follows), undo/redo, graph/to_code/save/open/from_function, run and train."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import vizflow_engine as vf
from tests.kernelext.editor_patches import apply_patch
from tests.kernelext.widget_fuzz import RecordingComm, recording_comms
from vizflow import Editor
from vizflow_engine.editing import EditError, EditorFileError
from vizflow_kernelext.protocol import validate_message


@pytest.fixture(autouse=True)
def comms() -> Iterator[None]:
    with recording_comms():
        yield


def build_mlp(ed: Editor) -> str:
    x = ed.placeholder("x", ("batch", 4))
    y = ed.placeholder("y", ("batch",), dtype="int64")
    h = ed.add("matmul", x, ed.variable("w1", (4, 16), init="xavier_uniform"), name="h")
    a = ed.add("add", h, ed.variable("b1", (16,)))
    r = ed.add("relu", a)
    logits = ed.add("matmul", r, ed.variable("w2", (16, 3), init="xavier_uniform"), name="logits")
    return ed.add("cross_entropy", logits, y, name="loss")


def test_python_edits_push_the_document() -> None:
    ed = Editor()
    channel: RecordingComm = ed.comm
    held = ed.document
    channel.sent.clear()
    loss = build_mlp(ed)
    for _, d, _ in channel.sent:  # each edit is sent as a patch, the browser follows
        if d["method"] == "custom" and d["content"]["kind"] == "editor_patch":
            held = apply_patch(held, d["content"])
    assert held == ed.document and held["version"] == ed.doc.version > 0
    validate_message("EditorDocument", ed.document)
    node = next(n for n in ed.document["nodes"] if n["name"] == loss)
    assert node["outputs"][0]["shape"] == [] and node["state"] == "valid"
    assert str(ed.graph).count("matmul") == 2


def test_undo_and_redo_python_edits() -> None:
    ed = Editor()
    build_mlp(ed)
    before = ed.document
    ed.rename("h", "hidden")
    ed.delete("relu")
    ed.undo()
    ed.undo()
    assert ed.document["nodes"] == before["nodes"] and ed.document["edges"] == before["edges"]
    ed.redo()
    assert "hidden" in {n["name"] for n in ed.document["nodes"]}
    with pytest.raises(EditError, match="nothing to redo"):
        ed.redo()
        ed.redo()


def test_errors_from_python_name_the_problem() -> None:
    ed = Editor()
    x = ed.placeholder("x", ("batch", 4))
    with pytest.raises(EditError, match="unknown op 'matmull'; did you mean 'matmul'"):
        ed.add("matmull", x)
    with pytest.raises(EditError, match="taken"):
        ed.placeholder("x", (1,))
    ed.add("matmul", x, ed.variable("w", (5, 2)), name="mm")
    with pytest.raises(EditError, match=r"node 'mm': matmul: \(batch, 4\) @ \(5, 2\)"):
        _ = ed.graph


def test_run_train_and_values() -> None:
    ed = Editor()
    build_mlp(ed)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((64, 4)).astype(np.float32)
    ys = (xs[:, 1] > 0).astype(np.int64)
    values = ed.run({"x": xs, "y": ys}, until="h")
    assert set(values) == {"x", "w1", "h"} and values["h"].shape == (64, 16)
    losses = ed.train("loss", steps=20, lr=0.05, inputs={"x": xs, "y": ys})
    assert losses[-1] is not None and losses[0] is not None and losses[-1] < 0.5 * losses[0]
    assert ed.training["losses"] == losses


def test_save_open_to_code_and_from_function(tmp_path: Path) -> None:
    ed = Editor()
    build_mlp(ed)
    ed.group(["h", "add"], "layer1")
    ed.run()
    path = str(tmp_path / "mlp.vfg.json")
    ed.save(path)
    again = Editor.open(path)
    assert again.document["nodes"] == [
        {**n, "state": "valid", "value": None} for n in ed.document["nodes"]
    ]
    assert "with vf.name_scope('layer1'):" in again.to_code()
    (tmp_path / "bad.vfg.json").write_text('{"format": "vizflow.editor", "version": 2}')
    with pytest.raises(EditorFileError, match=r"\$\.version"):
        Editor.open(str(tmp_path / "bad.vfg.json"))
    model = vf.nn.Sequential(vf.nn.Linear(4, 8), vf.nn.ReLU())
    traced = Editor.from_function(lambda x: model(x), vf.spec(("batch", 4)))
    assert {g["type"] for g in traced.document["groups"]} == {"Linear", "ReLU"}
    assert traced.graph.outputs[0].shape == ("batch", 8)


def test_add_layer_from_python_wires_its_input() -> None:
    ed = Editor()
    x = ed.placeholder("x", ("batch", 4))
    out = ed.add_layer("Linear", x, in_features=4, out_features=2)
    assert ed.graph.value(out).shape == ("batch", 2)
    ed.undo()
    assert [n["name"] for n in ed.document["nodes"]] == ["x"]


def test_an_editor_on_a_40_layer_sequential() -> None:
    blocks = []
    for _ in range(40):
        blocks += [vf.nn.Linear(8, 8), vf.nn.ReLU()]
    model = vf.nn.Sequential(*blocks)
    ed = Editor(vf.trace(lambda x: model(x), vf.spec(("batch", 8))))
    assert len(ed.document["groups"]) == 80
    validate_message("EditorDocument", ed.document)
    assert "<vizflow Editor" in repr(ed)


def test_a_file_loaded_in_the_browser_starts_python_undo_afresh(tmp_path: Path) -> None:
    ed = Editor()
    build_mlp(ed)
    other = Editor()
    other.placeholder("z", (2,))
    path = str(tmp_path / "z.vfg.json")
    other.save(path)
    from vizflow_engine.editing import open_file

    ed.replace(open_file(path))
    assert [n["name"] for n in ed.document["nodes"]] == ["z"]
    with pytest.raises(EditError, match="nothing to undo"):
        ed.undo()
