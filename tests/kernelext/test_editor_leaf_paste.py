"""Copy/paste of variables and constants holding arrays: the browser's document names each held
array by its content ({"array": key}), a copy carries that key, and a paste gives the pasted node
its own copy of exactly that content (same editor, after a cut, into another editor whose nodes
have the same ids, undo/redo); a key this kernel does not hold is refused, naming the node."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from tests.kernelext.widget_fuzz import recording_comms
from vizflow import Editor
from vizflow_engine.editing import EditError
from vizflow_engine.editing import params as params_module
from vizflow_kernelext.protocol import validate_message


def mine() -> np.ndarray[Any, Any]:
    return np.array([[1.5, -2.0, 3.25]], dtype=np.float64)


def other() -> np.ndarray[Any, Any]:
    return np.array([[9.0, 9.0, 9.0]], dtype=np.float64)


MINE = mine()


@pytest.fixture(autouse=True)
def comms() -> Iterator[None]:
    with recording_comms():
        yield


def browser_node(ed: Editor, name: str) -> dict[str, Any]:
    """A node as the browser's document holds it."""
    validate_message("EditorDocument", ed.document)
    return next(n for n in ed.document["nodes"] if n["name"] == name)


def copied(ed: Editor, *names: str) -> dict[str, Any]:
    """What the browser's copy puts in a paste command (its clipboard.ts fields)."""
    keys = ("id", "kind", "op", "name", "params", "position", "group", "array")
    nodes = [{k: v for k, v in browser_node(ed, n).items() if k in keys} for n in names]
    return {"cmd": "paste", "fragment": copy.deepcopy({"nodes": nodes, "edges": [], "groups": []})}


def values_of(ed: Editor, name: str) -> np.ndarray[Any, Any]:
    held = ed.doc.arrays[ed.doc.by_name(name).id]
    return np.asarray(getattr(held, "array", held))


def pasted_name(ed: Editor, before: set[str]) -> str:
    (name,) = {n.name for n in ed.doc.nodes.values()} - before
    return name


def paste(ed: Editor, command: dict[str, Any]) -> str:
    before = {n.name for n in ed.doc.nodes.values()}
    ed.edit([command])
    return pasted_name(ed, before)


def test_a_held_node_shows_its_content_key_and_equal_content_gives_the_same_key() -> None:
    a, b = Editor(), Editor()
    a.constant("c", mine())
    b.constant("c", mine())
    key = browser_node(a, "c")["array"]
    assert key.startswith("array~") and browser_node(b, "c")["array"] == key
    a.variable("w", (2,), init="zeros")
    assert "array" not in browser_node(a, "w")  # made from its params: nothing held


def test_paste_in_the_same_editor_gives_the_pasted_node_its_own_copy() -> None:
    ed = Editor()
    ed.constant("c", mine())
    name = paste(ed, copied(ed, "c"))
    assert name == "c_1" and np.array_equal(values_of(ed, name), MINE)
    assert values_of(ed, name).dtype == MINE.dtype
    values_of(ed, "c")[0, 0] = 100.0  # the original changes in place: the paste does not
    assert values_of(ed, name)[0, 0] == 1.5


def test_paste_after_a_cut_gives_the_cut_values() -> None:
    ed = Editor()
    ed.constant("c", mine())
    clip = copied(ed, "c")
    ed.delete("c")
    assert paste(ed, clip) == "c" and np.array_equal(values_of(ed, "c"), MINE)


def test_paste_into_another_editor_whose_node_has_the_same_id_gives_the_copied_values() -> None:
    """Two editors number their nodes alike (n1, n2, …): the paste must not read B's n1."""
    a, b = Editor(), Editor()
    a.constant("c", mine())
    b.constant("c", other())
    trained = vf.tensor(np.array([0.5, 0.25], dtype=np.float32), requires_grad=True)
    a.variable("w", value=trained)
    b.variable("w", value=np.zeros(2, dtype=np.float32))
    assert a.doc.by_name("c").id == b.doc.by_name("c").id
    assert a.doc.by_name("w").id == b.doc.by_name("w").id
    before = {n.name for n in b.doc.nodes.values()}
    b.edit([copied(a, "c", "w")])
    made = {n.name for n in b.doc.nodes.values()} - before
    assert made == {"c_1", "w_1"}
    assert np.array_equal(values_of(b, "c_1"), MINE)
    assert np.array_equal(values_of(b, "w_1"), [0.5, 0.25])
    assert values_of(b, "w_1").dtype == np.float32
    assert np.array_equal(values_of(b, "c"), other())  # B's own node is untouched
    # the pasted constant feeds a run with its copied values
    out = b.add("mul", "c_1", "c_1", name="sq")
    b.set_outputs(out)
    assert np.allclose(b.run()[out], MINE * MINE)


def test_paste_into_another_editor_survives_the_cut_there() -> None:
    a, b = Editor(), Editor()
    a.constant("c", mine())
    b.constant("c", other())
    clip = copied(a, "c")
    a.delete("c")  # cut: the array waits in A's undo history
    assert paste(b, clip) == "c_1" and np.array_equal(values_of(b, "c_1"), MINE)


def test_undo_and_redo_of_a_paste_keep_the_copied_values() -> None:
    a, b = Editor(), Editor()
    a.constant("c", mine())
    b.constant("c", other())
    paste(b, copied(a, "c"))
    b.undo()
    assert {n.name for n in b.doc.nodes.values()} == {"c"}
    b.redo()
    assert np.array_equal(values_of(b, "c_1"), MINE)
    assert np.array_equal(values_of(b, "c"), other())
    b.undo()
    b.redo()
    assert np.array_equal(values_of(b, "c_1"), MINE)


def test_a_reference_this_kernel_does_not_hold_is_refused_naming_the_node() -> None:
    a, b = Editor(), Editor()
    a.constant("weights", mine())
    b.constant("weights", other())
    clip = copied(a, "weights")
    clip["fragment"]["nodes"][0]["array"] = "array~" + "0" * 24  # as from another kernel
    version = b.doc.version
    with pytest.raises(EditError, match=r"cannot paste 'weights'.*another kernel"):
        b.edit([clip])
    assert b.doc.version == version and {n.name for n in b.doc.nodes.values()} == {"weights"}
    del clip["fragment"]["nodes"][0]["array"]  # a copy without a reference
    with pytest.raises(EditError, match="cannot paste 'weights'"):
        b.edit([clip])


def test_a_copy_whose_values_changed_or_are_gone_is_refused_not_pasted_with_others() -> None:
    a, b = Editor(), Editor()
    a.constant("c", np.full((2, 2), 17.125))  # values no other array of the kernel has
    b.constant("c", other())
    clip = copied(a, "c")
    values_of(a, "c")[0, 0] = 7.0  # changed in place after the copy
    with pytest.raises(EditError, match=r"cannot paste 'c'.*changed since"):
        b.edit([clip])
    a.constant("d", np.full((3,), 23.5))
    clip = copied(a, "d")
    a.doc.set_array(a.doc.by_name("d").id, other())  # the copied array is dropped
    gc.collect()
    with pytest.raises(EditError, match="cannot paste 'd'"):
        b.edit([clip])


def test_training_gives_a_new_key_and_a_paste_then_gives_the_trained_values() -> None:
    ed = Editor()
    x = ed.placeholder("x", (2,))
    w = ed.variable("w", value=np.array([1.0, 2.0], dtype=np.float32))
    loss = ed.add("sum", ed.add("mul", x, w, name="xw"), name="loss")
    before = browser_node(ed, w)["array"]
    ed.train(loss, steps=3, inputs={x: np.ones(2, dtype=np.float32)}, lr=0.5)
    after = browser_node(ed, w)["array"]
    assert after != before
    name = paste(ed, copied(ed, w))
    assert np.array_equal(values_of(ed, name), values_of(ed, w))
    assert not np.array_equal(values_of(ed, name), [1.0, 2.0])


def test_two_editors_opened_from_one_file_paste_the_trained_editors_values(tmp_path: Path) -> None:
    """The likely case: the same file opened twice (equal ids), one copy trained, its variable
    pasted into the other: the pasted node has the trained values, not the other's same id's."""
    ed = Editor()
    x = ed.placeholder("x", (2,))
    w = ed.variable("w", value=np.array([1.0, 2.0], dtype=np.float32))
    loss = ed.add("sum", ed.add("mul", x, w, name="xw"), name="loss")
    path = str(tmp_path / "m.vfg.json")
    ed.save(path)
    trained, untouched = Editor.open(path), Editor.open(path)
    assert trained.doc.by_name(w).id == untouched.doc.by_name(w).id
    trained.train(loss, steps=2, inputs={x: np.ones(2, dtype=np.float32)}, lr=0.5)
    assert not np.array_equal(values_of(trained, w), [1.0, 2.0])
    name = paste(untouched, copied(trained, w))
    assert np.array_equal(values_of(untouched, name), values_of(trained, w))
    assert np.array_equal(values_of(untouched, w), [1.0, 2.0])


def test_a_live_tensor_shared_by_two_editors_is_held_once_and_pastes_from_both() -> None:
    """Two editors on one traced model share its live tensors; each push names them, the store
    keeps one reference per tensor (not one per push)."""
    weight = vf.tensor(np.array([[0.75, -1.0]], dtype=np.float32), requires_grad=True)
    graph = vf.trace(lambda x: x @ weight, vf.spec((3, 1)))
    a, b = Editor(graph), Editor(graph)
    (held,) = (n.name for n in a.doc.nodes.values() if n.kind == "variable")
    assert a.doc.arrays[a.doc.by_name(held).id] is b.doc.arrays[b.doc.by_name(held).id]
    key = browser_node(a, held)["array"]
    for _ in range(3):  # the two editors' stamps differ: each push names the tensor again
        a.doc.stamps[a.doc.by_name(held).id] = a.doc.stamps.get(a.doc.by_name(held).id, 0) + 1
        a.push()
        b.push()
    assert browser_node(b, held)["array"] == key
    assert len(params_module._HELD_LEAF_ARRAYS[key]) == 1
    for source, target in ((a, b), (b, a)):
        name = paste(target, copied(source, held))
        assert np.array_equal(values_of(target, name), [[0.75, -1.0]])


def trained_initialised() -> tuple[Editor, str]:
    """An editor whose variable w, made by vf.nn.init's normal, was trained 3 steps."""
    ed = Editor()
    x = ed.placeholder("x", (3,))
    w = ed.variable("w", (3,), init="normal")
    loss = ed.add("sum", ed.add("mul", x, w, name="xw"), name="loss")
    ed.train(loss, steps=3, inputs={x: np.arange(3, dtype=np.float32)}, lr=0.5)
    return ed, w


def test_an_initialised_variable_shows_its_values_key_once_it_has_values() -> None:
    ed = Editor()
    x = ed.placeholder("x", (3,))
    w = ed.variable("w", (3,), init="normal")
    ed.add("mul", x, w, name="xw")
    assert "array" not in browser_node(ed, w)  # never ran: no values yet
    ed.run()
    assert browser_node(ed, w)["array"].startswith("array~")
    assert browser_node(ed, w)["params"]["init"] == "normal"


def test_a_trained_initialised_variable_pastes_with_its_initialiser_and_its_values() -> None:
    ed, w = trained_initialised()
    trained = values_of(ed, w).copy()
    name = paste(ed, copied(ed, w))
    pasted = ed.doc.by_name(name)
    assert pasted.params["init"] == "normal" and pasted.params["shape"] == (3,)
    assert np.array_equal(values_of(ed, name), trained)  # not initialised afresh
    values_of(ed, w)[0] = 100.0  # the pasted node has its own copy
    assert values_of(ed, name)[0] == trained[0]
    # a run uses the pasted values, it does not initialise them again
    out = ed.add("mul", name, name, name="sq")
    ed.set_outputs(out)
    assert np.allclose(ed.run()[out], trained * trained)


def test_a_trained_initialised_variable_pastes_into_another_editor_with_its_values() -> None:
    ed, w = trained_initialised()
    other_ed = Editor()
    other_ed.variable("w", (3,), init="normal")  # the same id, its own (untrained) values
    other_ed.run()
    mine_before = values_of(other_ed, "w").copy()
    name = paste(other_ed, copied(ed, w))
    assert np.array_equal(values_of(other_ed, name), values_of(ed, w))
    assert np.array_equal(values_of(other_ed, "w"), mine_before)


def test_undo_and_redo_of_a_delete_keep_a_trained_initialised_variables_values() -> None:
    ed, w = trained_initialised()
    trained = values_of(ed, w).copy()
    ed.delete(w)
    ed.undo()
    assert np.array_equal(values_of(ed, w), trained)
    ed.redo()
    assert ed.doc.by_name("xw")  # the reader stays, unwired
    ed.undo()
    assert np.array_equal(values_of(ed, w), trained)
    assert browser_node(ed, w)["array"].startswith("array~")


def test_values_that_do_not_fit_the_declared_variable_are_refused() -> None:
    ed, w = trained_initialised()
    clip = copied(ed, w)
    clip["fragment"]["nodes"][0]["params"]["shape"] = [4]
    version = ed.doc.version
    with pytest.raises(EditError, match=r"cannot paste 'w'.*\(3,\) float32, not the \(4,\)"):
        ed.edit([clip])
    assert ed.doc.version == version


def test_an_array_constant_shows_its_dtype_shape_and_values() -> None:
    ed = Editor()
    ed.constant("table", mine())
    held = browser_node(ed, "table")["held"]
    assert held["summary"]["dtype"] == "float64" and held["summary"]["shape"] == [1, 3]
    assert held["summary"]["min"] == -2.0 and "3.25" in held["summary"]["preview"]
    assert held["values"] == [[1.5, -2.0, 3.25]]
    ed.constant("big", np.arange(1000, dtype=np.int32))
    big = browser_node(ed, "big")["held"]
    assert big["values"] is None  # too big to edit: read-only, its summary shown
    assert big["summary"]["shape"] == [1000] and big["summary"]["max"] == 999
    assert "held" not in browser_node(ed, ed.variable("w", (2,), init="zeros"))


def test_a_small_array_constant_is_edited_with_validation_and_undone() -> None:
    ed = Editor()
    ed.constant("table", mine())
    out = ed.add("neg", "table", name="flip")
    ed.set_outputs(out)
    ed.run()
    ident = ed.doc.by_name("table").id

    def set_values(values: Any) -> None:
        ed.edit([{"cmd": "set_param", "node": ident, "param": "value", "value": values}])

    set_values([[0.5, 1, 2]])
    assert values_of(ed, "table").dtype == np.float64
    assert np.array_equal(values_of(ed, "table"), [[0.5, 1.0, 2.0]])
    assert browser_node(ed, "table")["held"]["values"] == [[0.5, 1.0, 2.0]]
    assert browser_node(ed, "flip")["state"] == "stale"  # the run was before the edit
    assert np.allclose(ed.run()[out], [[-0.5, -1.0, -2.0]])
    for bad, message in [
        ([0.5, 1, 2], r"is \(1, 3\): give \(1, 3\) values, not \(3,\)"),
        ([["a", "b", "c"]], "numbers in nested lists"),
        ([[1, None, 2]], "numbers in nested lists"),
    ]:
        with pytest.raises(EditError, match=message):
            set_values(bad)
    ed.undo()
    assert np.array_equal(values_of(ed, "table"), MINE)
    ed.redo()
    assert np.array_equal(values_of(ed, "table"), [[0.5, 1.0, 2.0]])


def test_an_integer_constant_refuses_fractions_and_a_big_one_refuses_edits() -> None:
    ed = Editor()
    ed.constant("idx", np.array([3, 0, 2], dtype=np.int8))
    ident = ed.doc.by_name("idx").id
    for bad, message in [([1.5, 0, 2], "int8: float64 values do not fit"),
                         ([300, 0, 2], "out of its range")]:  # fmt: skip
        with pytest.raises(EditError, match=message):
            ed.edit([{"cmd": "set_param", "node": ident, "param": "value", "value": bad}])
    ed.edit([{"cmd": "set_param", "node": ident, "param": "value", "value": [1, 2, 0]}])
    assert values_of(ed, "idx").dtype == np.int8 and values_of(ed, "idx").tolist() == [1, 2, 0]
    ed.constant("big", np.zeros(101))
    big = {"cmd": "set_param", "node": ed.doc.by_name("big").id, "param": "value"}
    with pytest.raises(EditError, match="holds 101 float64 values; the inspector edits"):
        ed.edit([{**big, "value": [0.0] * 101}])
