"""Checkpoint fuzzing: mutate valid .npz checkpoints, load them, classify what happened.

Shared by tests/engine/test_checkpoint_fuzz.py (bounded, fixed seed) and
benchmarks/fuzz_checkpoints.py (long runs). A case starts from a valid checkpoint (a
Module.save file, stored or deflated, or a vf.save file of model and optimizer state),
applies one to three mutations (structural: headers' shapes, dtypes and order, member
names, added and removed members, huge headers, object arrays, modest zip bombs, the JSON
structure; byte-level: truncation, flipped or zeroed bytes) and loads the result into a
fresh model (Module.load) or with vf.load. Outcomes:

- "identical": loaded, and the model holds exactly the original values;
- "variant": loaded a structurally valid file whose values differ from the original (a
  rebuilt member with another order or dtype), exactly as numpy's own reader reads them
  (for a file corrupted after such a rebuild: as numpy reads the rebuild);
- "rejected": a CheckpointError, with the model unchanged;
- "other": anything else (another exception, a changed model after a refusal, values that
  numpy reads differently, or a byte-level corruption that loaded other values silently).
"""

from __future__ import annotations

import functools
import io
import json
import random
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine import nn, optim

Member = tuple[str, bytes, int]  # (name, bytes, zip compression method)


class Model(nn.Module):
    """Parameters, batch-norm buffers and an int buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.out = nn.Linear(3, 2)
        self.register_buffer("seen", vf.zeros(2, dtype="int64"))

    def forward(self, x: Any) -> Any:
        """fc, batch norm, out."""
        return self.out(self.bn(self.fc(x)))


def _model(seed: int) -> Model:
    vf.manual_seed(seed)
    m = Model()
    m.seen.data[...] = [seed, 2 * seed]
    return m


def _snapshot(m: nn.Module) -> dict[str, bytes]:
    return {n: t.numpy().tobytes() for n, t in m._state_items()}


def _npy(arr: np.ndarray[Any, Any]) -> bytes:
    raw = io.BytesIO()
    np.lib.format.write_array(raw, arr, allow_pickle=True)
    return raw.getvalue()


@functools.cache
def _bomb(n: int) -> bytes:
    """The .npy of n float32 zeros (compresses about 1000:1)."""
    return _npy(np.zeros(n, np.float32))


def _zip(members: list[Member]) -> bytes:
    raw = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(raw, "w", compresslevel=1) as z:
        warnings.simplefilter("ignore")  # "Duplicate name": a mutation wants it
        for name, data, method in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            z.writestr(info, data)
    return raw.getvalue()


def _members(data: bytes) -> list[Member]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i), i.compress_type) for i in z.infolist()]


@dataclass
class Base:
    """A valid checkpoint and how to load it."""

    kind: str  # "module" (Module.load into a fresh model) or "tree" (vf.load + load_state_dict)
    data: bytes


def bases() -> list[Base]:
    """The valid checkpoints every case starts from."""
    src = _model(1)
    out = []
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        members = [(k + ".npy", _npy(v), method) for k, v in src.state_dict().items()]
        out.append(Base("module", _zip(members)))
    trainer = _model(1)  # gives the optimizer state; src keeps the original values
    opt = optim.Adam(trainer.parameters(), lr=0.01)
    trainer(vf.randn(5, 4)).sum().backward()
    opt.step()
    raw = io.BytesIO()
    vf.save({"model": src.state_dict(), "opt": opt.state_dict(), "epoch": 1}, raw)
    out.append(Base("tree", raw.getvalue()))
    return out


# ---- mutations -------------------------------------------------------------------------------

_DESCRS = ["<f8", "<f2", ">f4", "<i8", "|b1", "|O", "<U3", "|V8", "<c16", "bogus", "<M8[s]"]


def _header_parts(npy: bytes) -> tuple[dict[str, Any], bytes] | None:
    """A .npy member's header dict and its data, or None when it is not a plain .npy."""
    try:
        f = io.BytesIO(npy)
        major, _ = np.lib.format.read_magic(f)
        if major == 1:
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        return {
            "descr": np.lib.format.dtype_to_descr(dtype),
            "fortran_order": fortran,
            "shape": shape,
        }, npy[f.tell() :]
    except Exception:  # a member an earlier mutation broke: mutate it at the byte level only
        return None


def _with_header(text: str, data: bytes) -> bytes:
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1") + data


def _dict_text(d: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in d.items()) + ", }"


def _new_shape(rng: random.Random, shape: tuple[int, ...]) -> Any:
    s = list(shape)
    choice = rng.randrange(9)
    if choice == 0 and len(s) > 1:
        s.reverse()
    elif choice == 1:
        s.append(1)
    elif choice == 2 and s:
        s.pop()
    elif choice == 3 and s:
        s[rng.randrange(len(s))] *= 2
    elif choice == 4:
        s = [0, *s]
    elif choice == 5:
        s = [-1, *s]
    elif choice == 6:
        s = [2**40, 2**12]
    elif choice == 7:
        return (1.5, 2)
    else:
        return "(3, 4)"
    return tuple(s)


def _mutate_header(rng: random.Random, npy: bytes) -> bytes:
    parts = _header_parts(npy)
    if parts is None:
        return npy
    d, data = parts
    what = rng.randrange(7)
    if what == 0:
        d["shape"] = _new_shape(rng, d["shape"])
    elif what == 1:
        d["descr"] = rng.choice(_DESCRS) if rng.random() < 0.9 else [("a", "<f4")]
    elif what in (2, 3):  # the same bytes read otherwise: a valid file with other values
        same_size = {"<f4": [">f4", "<i4", "<u4"], "<i8": [">i8", "<u8", "<f8"]}
        d["descr"] = rng.choice(same_size.get(d["descr"], [d["descr"]]))
        d["fortran_order"] = rng.choice([True, False, True, 1, "yes"])
    elif what == 4:
        d[rng.choice(["extra", "shape2"])] = 1
    elif what == 5:
        junk = rng.choice(["(" * 300, "{" * 50, "__import__('os')", "9" * 5000, "\x00\xff"])
        return _with_header(junk, data)
    else:
        return npy[:6] + bytes([rng.randrange(256), rng.randrange(256)]) + npy[8:]
    return _with_header(_dict_text(d), data)


def _mutate_structure(rng: random.Random, text: bytes) -> bytes:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(doc, dict):  # an earlier mutation replaced it
        doc = {}
    what = rng.randrange(6)
    if what == 0:
        return rng.choice([b"[" * 5000, b"{}", b"null", b"\xff\xfe", b'{"format":"x"}'])
    if what == 1:
        doc["version"] = rng.choice([2, "1", None])
    elif what == 2:
        doc["root"] = {"$tensor": "missing", "requires_grad": False}
    elif what == 3:
        doc["root"] = {"$pickle": "gASV"}
    elif what == 4:
        nest: Any = 1
        for _ in range(rng.choice([10, 70, 400])):
            nest = {"$list": [nest]}
        doc["root"] = nest
    else:
        doc["root"] = {"$dict": [["model", {"$dict": [[True, 1]]}]]}
    try:
        return json.dumps(doc).encode()
    except RecursionError:  # nested deeper than Python's json writes
        return text


def _structural(rng: random.Random, members: list[Member]) -> list[Member]:
    """One structural mutation of the member list."""
    members = list(members)
    what = rng.randrange(8)
    i = rng.randrange(len(members)) if members else 0
    if what <= 1 and members:  # a header: shape, dtype, order, keys, junk, magic
        name, data, method = members[i]
        if name == "__vizflow__.json":
            members[i] = (name, _mutate_structure(rng, data), method)
        else:
            members[i] = (name, _mutate_header(rng, data), method)
    elif what == 2 and members:
        members.pop(i)
    elif what == 3 and members:
        name, data, method = members[i]
        new = rng.choice(
            ["x.npy", "fc.weight.npy", "../evil.npy", "a\x00b.npy", "dir/", "n.txt", name + ".npy"]
        )
        members[i] = (new, data, method)
    elif what == 4:  # an added array: plain, object (pickle inside), or a modest zip bomb
        kind = rng.randrange(3)
        arr: np.ndarray[Any, Any] = np.ones(3, np.float32)
        if kind == 1:
            arr = np.array([{"x": 1}, None], dtype=object)
        name = rng.choice(["extra.npy", "fc.bias.npy", members[i][0] if members else "a.npy"])
        if kind == 2:  # 1 or 4 MiB of zeros in about 4 or 16 KiB
            members.append((name, _bomb(rng.choice([2**18, 2**20])), zipfile.ZIP_DEFLATED))
        else:
            members.append((name, _npy(arr), zipfile.ZIP_DEFLATED))
    elif what == 5 and members:  # the same member twice
        members.append(members[i])
    elif what == 6:  # the same members reordered and recompressed: a valid, equal file
        rng.shuffle(members)
        swap = {zipfile.ZIP_STORED: zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED: zipfile.ZIP_STORED}
        members = [(n, d, swap.get(m, m)) for n, d, m in members]
    elif members:  # a member claiming huge data
        name = members[i][0] if not members[i][0].endswith(".json") else "big.npy"
        members[i] = (
            name,
            _with_header(
                _dict_text({"descr": "<f4", "fortran_order": False, "shape": (2**31, 2**20)}), b""
            ),
            zipfile.ZIP_DEFLATED,
        )
    return members


def _bytes(rng: random.Random, data: bytes) -> bytes:
    """One byte-level mutation: truncation, flipped bytes or a zeroed range."""
    if not data:  # truncated to nothing already
        return data
    b = bytearray(data)
    what = rng.randrange(3)
    if what == 0:
        return bytes(b[: rng.randrange(len(b))])
    if what == 1:
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b)
    start = rng.randrange(len(b))
    b[start : start + rng.randint(1, 64)] = bytes(min(64, len(b) - start))
    return bytes(b[: len(data)])


@dataclass
class Case:
    """One mutated checkpoint: its base kind, its bytes, whether its last mutation was
    byte-level (a corrupt zip, which may only load what its last valid version holds) or a
    rebuild (a valid zip, whose values numpy's own reader tells), and that valid version."""

    kind: str
    data: bytes
    byte_level: bool
    steps: list[str]
    source: bytes  # the last valid file: the base, or the last rebuild


def make_case(rng: random.Random, all_bases: list[Base]) -> Case:
    """A random mutated checkpoint."""
    base = rng.choice(all_bases)
    data = source = base.data
    steps: list[str] = []
    byte_level = False
    n = rng.randint(1, 3)
    for _ in range(n):
        if rng.random() < 0.65:
            try:
                members = _members(data)
            except Exception:  # already broken at the byte level: keep breaking it so
                members = None
            if members is not None:  # a fresh, valid zip of whatever could be read
                data = source = _zip(_structural(rng, members))
                byte_level = False
                steps.append("structural")
                continue
        data = _bytes(rng, data)
        byte_level = True
        steps.append("bytes")
    return Case(base.kind, data, byte_level, steps, source)


# ---- running a case --------------------------------------------------------------------------


def _numpy_view(data: bytes) -> dict[str, np.ndarray[Any, Any]] | None:
    """What numpy's own reader (no pickle) makes of the file's arrays, or None."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            return {k: f[k] for k in f.files if not k.endswith(".json")}
    except Exception:
        return None


def _expected(kind: str, data: bytes) -> dict[str, np.ndarray[Any, Any]] | None:
    """The model values a valid file holds, by numpy's reader (vf.save files: "model/…")."""
    view = _numpy_view(data)
    if view is None or kind == "module":
        return view
    return {k.removeprefix("model/"): v for k, v in view.items() if k.startswith("model/")}


def _same(m: nn.Module, expect: dict[str, np.ndarray[Any, Any]]) -> bool:
    """Whether every parameter and buffer of m holds expect's value (cast to its dtype)."""
    for n, t in m._state_items():
        if n not in expect:
            return False
        want = np.asarray(expect[n]).astype(t.numpy().dtype)
        if t.numpy().shape != want.shape or t.numpy().tobytes() != want.tobytes():
            return False
    return True


def run_case(
    case: Case, original: dict[str, np.ndarray[Any, Any]], model: Model
) -> tuple[str, str]:
    """Load one case into model; (outcome, detail), outcome identical/variant/rejected/other."""
    before = _snapshot(model)
    try:
        if case.kind == "module":
            model.load(io.BytesIO(case.data))
        else:
            ck = vf.load(io.BytesIO(case.data))
            if not (isinstance(ck, dict) and isinstance(ck.get("model"), dict)):
                return "variant", "a valid file of another structure"
            opt = optim.Adam(model.parameters(), lr=0.5)  # loads first: it leaves the model be
            if isinstance(ck.get("opt"), dict):
                opt.load_state_dict(ck["opt"])
            model.load_state_dict(ck["model"])
    except vf.CheckpointError as exc:
        if _snapshot(model) != before:
            return "other", f"CheckpointError but the model changed: {exc}"
        if not str(exc):
            return "other", "CheckpointError without a message"
        return "rejected", str(exc).splitlines()[0][:200]
    except Exception as exc:
        return "other", "".join(traceback.format_exception_only(type(exc), exc)).strip()[:400]
    if _same(model, original):
        return "identical", ""
    # a corrupted file may only load what its last valid version held
    expect = _expected(case.kind, case.source if case.byte_level else case.data)
    if expect is None or not _same(model, expect):
        if case.byte_level:
            return "other", "a corrupted file loaded values its valid version does not hold"
        return "other", "loaded values numpy's reader does not agree with"
    return "variant", "a valid rebuilt file with other values"


def run(
    n: int, seed: int, on_case: Callable[[Case, str, str], None] | None = None
) -> dict[str, int]:
    """Run n cases from seed; counts per outcome."""
    rng = random.Random(seed)
    all_bases = bases()
    original = dict(_model(1).state_dict())
    model = _model(0)
    fresh = model.state_dict()
    counts = dict.fromkeys(["identical", "variant", "rejected", "other"], 0)
    for _ in range(n):
        case = make_case(rng, all_bases)
        for name, t in model._state_items():  # back to the fresh model's values
            np.copyto(t.array, fresh[name])
        outcome, detail = run_case(case, original, model)
        counts[outcome] += 1
        if on_case is not None:
            on_case(case, outcome, detail)
    return counts


__all__ = ["Case", "bases", "make_case", "run", "run_case"]
