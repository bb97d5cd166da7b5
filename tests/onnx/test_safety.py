"""Loading is safe: bad bytes give OnnxFormatError, external data stays in the model's folder."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import vizflow as vf

from .models import hand_cnn

onnx = pytest.importorskip("onnx")


@pytest.mark.parametrize("cut", [0, 1, 17, 0.5, -3])
def test_truncated_or_empty_bytes_are_one_clear_error(cut: float) -> None:
    data = hand_cnn().SerializeToString()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    with pytest.raises(vf.onnx.OnnxFormatError):
        vf.onnx.load(data[:n])


def test_garbage_and_missing_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(vf.onnx.OnnxFormatError, match="not an ONNX model"):
        vf.onnx.load(b"\x0a\xff\xff\xff\xff\x0f garbage")
    with pytest.raises(vf.onnx.OnnxFormatError, match="cannot read"):
        vf.onnx.load(tmp_path / "missing.onnx")


def _external_model(tmp_path: Path, location: str) -> Path:
    """A model whose weight G points at `location` (written there when inside tmp_path)."""
    model = hand_cnn()
    g = next(t for t in model.graph.initializer if t.name == "G")
    raw = onnx.numpy_helper.to_array(g).tobytes()
    target = (tmp_path / location).resolve()
    if str(target).startswith(str(tmp_path.resolve())):
        target.write_bytes(raw)
    g.ClearField("raw_data")
    g.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(len(raw)))):
        entry = g.external_data.add()
        entry.key, entry.value = key, value
    path = tmp_path / "model.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def test_external_data_beside_the_model_loads(tmp_path: Path) -> None:
    path = _external_model(tmp_path, "weights.bin")
    g = vf.onnx.load(path)
    want = next(t for t in hand_cnn().graph.initializer if t.name == "G")
    np.testing.assert_array_equal(g.value("G").value, onnx.numpy_helper.to_array(want))


@pytest.mark.parametrize("location", ["../outside.bin", "/etc/hostname", "sub/../../x.bin"])
def test_external_data_outside_the_folder_is_refused(tmp_path: Path, location: str) -> None:
    inner = tmp_path / "models"
    inner.mkdir()
    (tmp_path / "outside.bin").write_bytes(b"\0" * 640)
    path = _external_model(inner, location)
    with pytest.raises(vf.onnx.OnnxFormatError, match="outside the model's folder"):
        vf.onnx.load(path)


def test_external_data_from_bytes_is_refused(tmp_path: Path) -> None:
    data = _external_model(tmp_path, "weights.bin").read_bytes()
    with pytest.raises(vf.onnx.OnnxFormatError, match="external files"):
        vf.onnx.load(data)


def test_without_onnx_installed_load_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install vizflow\[onnx\]"):
        vf.onnx.load(b"")
    g = vf.Graph()
    g.output(g.placeholder("x", (2,)).exp())
    with pytest.raises(ImportError, match=r"pip install vizflow\[onnx\]"):
        vf.onnx.to_model(g)
