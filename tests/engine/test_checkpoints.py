"""Checkpoints load whole or not at all: modules, .npz files, vf.save/vf.load, tied weights."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn
from vizflow_engine.checkpoint import MAX_ARRAY_BYTES


class Net(nn.Module):
    """Parameters, a batch-norm's buffers and an int buffer: every kind of state."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.head = nn.Linear(3, 2)
        self.register_buffer("steps", vf.zeros(1, dtype="int64"))


class Tied(nn.Module):
    """An embedding whose weight the output layer reuses (GPT-style weight tying)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(5, 3)
        self.out = nn.Linear(3, 5, bias=False)
        self.out.weight = self.embed.weight


def snapshot(m: nn.Module) -> dict[str, bytes]:
    """Every parameter's and buffer's bytes, by name."""
    return {n: t.numpy().tobytes() for n, t in m._state_items()}


def net(seed: int) -> Net:
    vf.manual_seed(seed)
    m = Net()
    m.bn.running_mean.data[...] = np.arange(3) + seed
    return m


# ---- Module.load_state_dict ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda sd: sd.update({"head.bias": np.zeros(3)}),
            r"'head.bias': shape \(3,\) float64 in "
            r"the checkpoint, shape \(2,\) float32 in the model",
        ),
        (
            lambda sd: sd.update({"steps": np.zeros(1, np.float32)}),
            r"'steps': shape \(1,\) "
            r"float32 in the checkpoint, shape \(1,\) int64 in the model",
        ),
        (lambda sd: sd.pop("head.weight"), r"missing 'head.weight' \(shape \(2, 3\) float32\)"),
        (lambda sd: sd.update({"fc.gain": np.ones(3)}), r"unexpected 'fc.gain' \(shape \(3,\)"),
        (
            lambda sd: sd.update({"bn.running_var": "ones"}),
            r"'bn.running_var': ndarray of dtype <U4 is not an array of numbers",
        ),
        (lambda sd: sd.update({3: np.ones(3)}), r"key 3: state dict keys are parameter names"),
        (lambda sd: sd.update({"head.bias": np.zeros(2, np.complex64)}), r"'head.bias'.*complex"),
    ],
)
def test_a_bad_state_dict_changes_nothing_and_names_the_parameter(
    change: Any, message: str
) -> None:
    m, src = net(0), net(1)
    sd: dict[Any, Any] = dict(src.state_dict())
    change(sd)  # the bad entry sits after good ones: nothing may be written before the check
    before = snapshot(m)
    with pytest.raises(vf.CheckpointError, match=message):
        m.load_state_dict(sd)
    assert snapshot(m) == before


def test_every_problem_is_listed_in_one_error() -> None:
    m = net(0)
    sd = dict(net(1).state_dict())
    sd["fc.weight"] = np.zeros((4, 3), np.float32)
    del sd["bn.weight"]
    sd["extra"] = np.zeros(2)
    with pytest.raises(vf.CheckpointError) as info:
        m.load_state_dict(sd)
    text = str(info.value)
    assert "nothing was changed" in text
    assert "'fc.weight': shape (4, 3)" in text and "missing 'bn.weight'" in text
    assert "unexpected 'extra'" in text and "strict=False" in text


def test_strict_false_skips_missing_and_unexpected_but_not_bad_shapes() -> None:
    m, src = net(0), net(1)
    sd = {"fc.weight": src.fc.weight.numpy(), "bogus": np.ones(2)}
    keys = m.load_state_dict(sd, strict=False)
    np.testing.assert_array_equal(m.fc.weight.numpy(), src.fc.weight.numpy())
    assert keys.unexpected_keys == ["bogus"] and "fc.bias" in keys.missing_keys
    before = snapshot(m)
    with pytest.raises(vf.CheckpointError, match=r"'fc.bias': shape \(2,\)"):
        m.load_state_dict({"fc.weight": src.fc.weight.numpy(), "fc.bias": np.ones(2)}, strict=False)
    assert snapshot(m) == before


@pytest.mark.parametrize("bad", [[("fc.weight", np.ones((3, 4)))], None, "fc.weight", 3])
def test_strict_false_still_refuses_a_non_mapping(bad: Any) -> None:
    m = net(0)
    before = snapshot(m)
    with pytest.raises(vf.CheckpointError, match="takes a mapping of name -> array"):
        m.load_state_dict(bad, strict=False)
    assert snapshot(m) == before


def test_float64_values_are_cast_into_float32_parameters_as_pytorch_does() -> None:
    m, src = net(0), net(1)
    sd = {
        k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in src.state_dict().items()
    }
    w = m.fc.weight.array
    m.load_state_dict(sd)
    assert m.fc.weight.array is w and w.dtype == np.float32  # in place, dtype kept
    assert snapshot(m) == snapshot(src)


def test_tensors_and_lists_load_as_values() -> None:
    m = nn.Linear(2, 2)
    m.load_state_dict({"weight": vf.ones(2, 2), "bias": [0.5, -0.5]})
    np.testing.assert_array_equal(m.bias.numpy(), [0.5, -0.5])
    np.testing.assert_array_equal(m.weight.numpy(), np.ones((2, 2)))


# ---- tied weights ---------------------------------------------------------------------------


def test_a_tied_weight_is_listed_under_each_name_and_loads_from_either() -> None:
    vf.manual_seed(0)
    a, b = Tied(), Tied()
    sd = a.state_dict()
    assert list(sd) == ["embed.weight", "out.weight"]
    assert sd["embed.weight"] is sd["out.weight"]  # one copy, as one tensor
    assert len(list(a.parameters())) == 1  # optimisers still see it once
    b.load_state_dict(sd)
    np.testing.assert_array_equal(b.out.weight.numpy(), a.embed.weight.numpy())
    for name in ("embed.weight", "out.weight"):  # a checkpoint holding one name only
        c = Tied()
        c.load_state_dict({name: sd[name] * 2})
        np.testing.assert_array_equal(c.embed.weight.numpy(), sd[name] * 2)
        assert c.out.weight is c.embed.weight


def test_tied_names_with_different_values_are_refused() -> None:
    m = Tied()
    before = snapshot(m)
    w = m.state_dict()["embed.weight"]
    with pytest.raises(
        vf.CheckpointError, match="name one tied tensor of the model but hold different"
    ):
        m.load_state_dict({"embed.weight": w, "out.weight": w + 1})
    assert snapshot(m) == before
    with pytest.raises(
        vf.CheckpointError,
        match=r"missing 'embed.weight' \(shape \(5, 3\) float32, "
        r"tied to 'out.weight'\)",
    ):
        m.load_state_dict({})


# ---- Module.save / Module.load --------------------------------------------------------------


def test_save_and_load_round_trip_and_replace_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "net.npz"
    a, b = net(0), net(1)
    path.write_bytes(b"old")
    a.save(path)
    assert os.listdir(tmp_path) == ["net.npz"]  # no temporary file left behind
    b.load(str(path))
    assert snapshot(b) == snapshot(a)
    buf = io.BytesIO()
    a.save(buf)
    buf.seek(0)
    assert snapshot(net(2).load(buf)) == snapshot(a)


def _flip_data(path: Path, member: str, nbytes: int) -> None:
    """Flip the last data byte of a stored (uncompressed) member: its CRC no longer matches."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
        assert info.compress_type == zipfile.ZIP_STORED and nbytes > 0
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(path.read_bytes())
    raw[start + info.compress_size - 1] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("key", "arr", "message"),
    [
        (
            "fc.weight",
            np.zeros((4, 3), np.float32),
            r"'fc.weight': shape \(4, 3\) float32 in the "
            r"checkpoint, shape \(3, 4\) float32 in the model",
        ),
        ("fc.scale", np.zeros(3, np.float32), r"unexpected 'fc.scale' \(shape \(3,\) float32\)"),
    ],
)
def test_a_bad_key_or_shape_in_a_file_is_refused_before_any_data_is_read(
    tmp_path: Path, key: str, arr: np.ndarray, message: str
) -> None:
    sd = dict(net(1).state_dict())
    sd[key] = arr
    path = tmp_path / "bad.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for k, v in sd.items():
            z.writestr(k + ".npy", _npy(v))
    # every member's data is corrupt too: a load that decompressed before checking the
    # headers against the model would fail on a CRC instead
    for k, v in sd.items():
        _flip_data(path, k + ".npy", v.nbytes)
    m = net(0)
    before = snapshot(m)
    with pytest.raises(vf.CheckpointError, match=message):
        m.load(path)
    assert snapshot(m) == before
    with pytest.raises(vf.CheckpointError, match="BadZipFile: Bad CRC-32"):
        vf.load(path)  # the corruption is real


def _npz_with(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "crafted.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _npy(arr: np.ndarray) -> bytes:
    raw = io.BytesIO()
    np.lib.format.write_array(raw, arr)
    return raw.getvalue()


def _header(descr: str, shape: tuple[int, ...]) -> bytes:
    """A .npy header (version 1.0) claiming descr and shape, with no data after it."""
    text = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


def test_corrupt_data_behind_a_good_header_is_a_checkpoint_error(tmp_path: Path) -> None:
    sd = net(1).state_dict()
    members = {k + ".npy": _npy(v) for k, v in sd.items()}
    path = _npz_with(tmp_path, members)
    raw = bytearray(path.read_bytes())
    w = sd["fc.weight"]
    # the stored (deflated) bytes of fc.weight's data: flip one in the middle of the member
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("fc.weight.npy")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        mid = start + info.compress_size // 2
    raw[mid] ^= 0xFF
    path.write_bytes(bytes(raw))
    m = net(0)
    before = snapshot(m)
    with pytest.raises(vf.CheckpointError, match=r"crafted.npz: array 'fc.weight'"):
        m.load(path)
    assert snapshot(m) == before
    assert w.shape == (3, 4)


def test_a_header_claiming_huge_data_is_refused_unread(tmp_path: Path) -> None:
    path = _npz_with(tmp_path, {"w.npy": _header("<f4", (2**40, 2**10))})
    tracemalloc.start()
    try:
        with pytest.raises(
            vf.CheckpointError,
            match=r"claims shape \(1099511627776, 1024\).* more "
            r"than the 4 GiB one checkpoint array may take",
        ):
            vf.load(path)
        assert tracemalloc.get_traced_memory()[1] < 1 << 20
    finally:
        tracemalloc.stop()
    assert MAX_ARRAY_BYTES == 4 << 30


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"w.npy": _npy(np.array([{"a": 1}], dtype=object))}, "dtype object cannot load"),
        ({"w.npy": _npy(np.array(["abc"]))}, "dtype <U3 cannot load"),
        ({"w.npy": _header("<f4", (-1, 3))}, r"shape \(-1, 3\) is not a tuple"),
        ({"w.npy": _header("<f4", (2, 3))}, r"needs \d+: the file is corrupt"),
        ({"w.npy": b"PK not numpy"}, "bad magic bytes"),
        ({"w.npy": _npy(np.zeros(2)), "notes.txt": b"hi"}, "'notes.txt' is not a .npy array"),
        ({"__vizflow__.json": b'{"format": 1}'}, "must be an object with keys format"),
        ({"__vizflow__.json": b"[" * 100_000}, "not valid JSON"),
    ],
)
def test_malformed_files_are_one_clear_error(
    tmp_path: Path, members: dict[str, bytes], message: str
) -> None:
    path = _npz_with(tmp_path, members)
    with pytest.raises(vf.CheckpointError, match=message):
        vf.load(path)


def test_not_a_zip_and_a_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(vf.CheckpointError, match=r"x.npz: unreadable \(BadZipFile"):
        net(0).load(bad)
    with pytest.raises(FileNotFoundError):
        vf.load(tmp_path / "absent.npz")


# ---- vf.save / vf.load ----------------------------------------------------------------------


def test_nested_objects_round_trip_with_their_types(tmp_path: Path) -> None:
    t = vf.tensor([1.0, 2.0], requires_grad=True)
    arr = np.arange(6, dtype=np.int32).reshape(2, 3)
    obj = {
        "model": OrderedDict(w=arr, b=np.float64(0.5)),
        "opt": {"state": {0: {"step": np.array(3)}}, "param_groups": [{"betas": (0.9, 0.99)}]},
        "numbers": [1, 2.5, float("nan"), float("-inf"), None, True, "text", 2**70],
        "t": t,
        "again": t,  # the same tensor twice stays one tensor
    }
    path = tmp_path / "ck.npz"
    vf.save(obj, path)
    got = vf.load(path)
    np.testing.assert_array_equal(got["model"]["w"], arr)
    assert got["model"]["w"].dtype == np.int32
    assert got["model"]["b"] == 0.5 and isinstance(got["model"]["b"], np.float64)
    assert list(got["opt"]["state"]) == [0]  # int keys stay ints
    assert got["opt"]["param_groups"][0]["betas"] == (0.9, 0.99)
    nums = got["numbers"]
    assert (
        nums[0:2] == [1, 2.5]
        and np.isnan(nums[2])
        and nums[3:] == [-np.inf, None, True, "text", 2**70]
    )
    assert isinstance(got["t"], vf.Tensor) and got["t"].requires_grad
    assert got["again"] is got["t"]
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == [
            "__vizflow__.json",
            "model/b.npy",
            "model/w.npy",
            "opt/state/0/step.npy",
            "t.npy",
        ]


def test_a_saved_state_dict_loads_into_a_module_and_back(tmp_path: Path) -> None:
    a, b = net(0), net(1)
    vf.save(a.state_dict(), tmp_path / "sd.npz")
    b.load(tmp_path / "sd.npz")
    assert snapshot(b) == snapshot(a)
    b.load_state_dict(vf.load(tmp_path / "sd.npz"))
    a.save(tmp_path / "plain.npz")  # a plain .npz (no structure) loads as {key: array}
    assert set(vf.load(tmp_path / "plain.npz")) == set(a.state_dict())


def test_a_file_holding_several_objects_is_not_a_state_dict(tmp_path: Path) -> None:
    m = net(0)
    vf.save({"model": m.state_dict(), "epoch": 3}, tmp_path / "all.npz")
    with pytest.raises(vf.CheckpointError, match=r"not a state dict .* read it with vf.load"):
        m.load(tmp_path / "all.npz")


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"f": lambda: 0}, "cannot store root\\['f'\\], a function"),
        ({(1, 2): 3}, "a key \\(1, 2\\) of type tuple"),
        ({"a": np.array([object()])}, "dtype object; only numbers save"),
        (set(), "cannot store root, a set"),
    ],
)
def test_save_refuses_what_would_need_pickle(tmp_path: Path, obj: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        vf.save(obj, tmp_path / "x.npz")
    assert not os.listdir(tmp_path)


def test_save_refuses_a_container_inside_itself(tmp_path: Path) -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        vf.save(loop, tmp_path / "x.npz")
