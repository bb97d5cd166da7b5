"""A value's preview text, as np.array2string prints it with the inspector's options, made for
float arrays from their corners with numpy's own float-formatting calls but without
array2string's machinery (several times faster: the debugger previews the node it pauses at
and its inputs at every step). Other dtypes, and print options a user changed, go to
np.array2string itself.

The rules are numpy's (numpy/_core/arrayprint.py: FloatingFormat, _formatArray), for
floatmode 'maxprec', no suppression, sign '-' and no legacy mode; tests compare the text with
numpy's over arrays of every rank, size, dtype and value range."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

THRESHOLD = 64  # more elements than this: only the corners are shown
EDGE = 3  # items shown at each end of a summarised axis
PRECISION = 4
LINE_WIDTH = 72
_FLOATS = (np.float16, np.float32, np.float64)
# The global print options the fast path assumes (np.get_printoptions' spelling).
_ASSUMED = {
    "floatmode": "maxprec",
    "suppress": False,
    "sign": "-",
    "legacy": False,
    "nanstr": "nan",
    "infstr": "inf",
    "formatter": None,
    "override_repr": None,
}


def preview_text(values: np.ndarray) -> str:
    """np.array2string(values) with threshold 64, 3 edge items, precision 4, width 72."""
    if values.dtype.type not in _FLOATS or values.size == 0 or not _assumed_options():
        with np.printoptions(
            threshold=THRESHOLD, edgeitems=EDGE, precision=PRECISION, linewidth=LINE_WIDTH
        ):
            return np.array2string(values)
    summarised = values.size > THRESHOLD
    shown = _corners(values) if summarised else values
    with np.errstate(all="ignore"):
        return _format_array(_element_texts(shown), values.shape, summarised)


def _assumed_options() -> bool:
    options = np.get_printoptions()
    return all(options.get(k) == v for k, v in _ASSUMED.items())


def _corners(a: np.ndarray) -> np.ndarray:
    """The leading and trailing EDGE items of every axis longer than 2 * EDGE (one gather)."""
    picks = [np.r_[0:EDGE, n - EDGE : n] if n > 2 * EDGE else np.arange(n) for n in a.shape]
    corners: np.ndarray = a[np.ix_(*picks)]
    return corners


def _element_texts(data: np.ndarray) -> np.ndarray:
    """Each element's text as numpy's FloatingFormat for `data` (what is shown) makes it: fixed
    or scientific notation chosen from the finite values' range, padded so that the decimal
    points line up."""
    is_finite = np.isfinite(data)
    finite = data[is_finite]
    nonzero = np.absolute(finite[finite != 0])
    scientific = False
    if nonzero.size:
        hi, lo = nonzero.max(), nonzero.min()
        cutoff = 10.0 ** min(8, np.finfo(data.dtype).precision)
        scientific = bool(hi >= cutoff or lo < 0.0001 or hi / lo > 1000.0)
    texts = np.empty(data.shape, dtype=object)
    left = right = digits = exp_size = 0
    if scientific:
        mantissas = [
            np.format_float_scientific(x, precision=PRECISION, unique=True, trim=".").partition("e")
            for x in finite
        ]
        exp_size = max(len(e) for _, _, e in mantissas) - 1
        parts = [m.split(".") for m, _, _ in mantissas]
        digits = max(len(frac) for _, frac in parts)
        left = max(len(whole) for whole, _ in parts)
        right = exp_size + 2 + digits
    elif finite.size:
        # numpy formats each value twice (to size, then padded): the same digits, padded here
        split = [
            np.format_float_positional(x, precision=PRECISION, unique=True, trim=".").split(".")
            for x in finite
        ]
        left = max(len(whole) for whole, _ in split)
        right = max(len(frac) for _, frac in split)
    if finite.size != data.size:
        neginf = int(bool(np.any(data[np.isinf(data)] < 0)))
        left = max(left, len("nan") - (right + 1), len("inf") + neginf - (right + 1))
        width = left + right + 1
        texts[np.isnan(data)] = "nan".rjust(width)
        texts[np.isposinf(data)] = "inf".rjust(width)
        texts[np.isneginf(data)] = "-inf".rjust(width)
    if scientific:
        texts[is_finite] = _objects(
            np.format_float_scientific(
                x,
                precision=digits,
                min_digits=digits,
                unique=True,
                trim="k",
                pad_left=left,
                exp_digits=exp_size,
            )
            for x in finite
        )
    elif finite.size:
        texts[is_finite] = _objects(
            whole.rjust(left) + "." + frac.ljust(right) for whole, frac in split
        )
    return texts


def _objects(texts: Iterable[str]) -> np.ndarray:
    """A 1-D object array of texts (assigned element by element, as a list of str may not be)."""
    out = list(texts)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


def _format_array(texts: np.ndarray, shape: tuple[int, ...], summarised: bool) -> str:
    """numpy's _formatArray (separator ' ', no legacy mode) over the element texts of what is
    shown (the corners of an array of `shape` when summarised): rows wrapped at LINE_WIDTH,
    '...' between the corners. Nested by the array's rank only."""
    if texts.ndim == 0:
        return str(texts[()])

    def block(sub: np.ndarray, axis: int, indent: str, width: int) -> str:
        """The bracketed text of `sub`, what is shown of one index along the axes before `axis`."""
        cut = summarised and shape[axis] > 2 * EDGE
        if sub.ndim == 1:
            words: list[str] = sub.tolist()
            if cut:
                words = [*words[:EDGE], "...", *words[EDGE:]]
            out, line, limit, last = "", indent, width - 1, len(words) - 1
            for k, word in enumerate(words):
                if len(line) + len(word) > limit and len(line) > len(indent):
                    out += line.rstrip() + "\n"
                    line = indent
                line += word if k == last else word + " "
            out += line
        else:
            inner = [block(part, axis + 1, indent + " ", width - 1) for part in sub]
            if cut:
                inner = [*inner[:EDGE], "...", *inner[EDGE:]]
            out = ("\n" * (sub.ndim - 1)).join(indent + part for part in inner)
        return "[" + out[len(indent) :] + "]"

    return block(texts, 0, " ", LINE_WIDTH)
