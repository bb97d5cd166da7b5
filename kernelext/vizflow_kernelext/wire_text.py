"""Messages that can travel: every string encodable as UTF-8, every number finite.

A lone surrogate (U+D800-U+DFFF: a Python string can hold one, and so can a browser's
JSON) cannot be encoded as UTF-8, so one node name holding it made the kernel fail to send
the whole widget. Each becomes a visible escape (`\\ud800`), as in the SVG export.
A NaN or infinite float is not JSON (jupyter_client warns into the cell and sends a bare
`NaN` token): it becomes the protocol's NonFiniteNumber string, "NaN", "Infinity" or
"-Infinity".
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub(_visible, value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(v) for v in value]
    return value


def wire_safe(value: Any) -> Any:
    """`value` itself when all its text encodes as UTF-8 and all its floats are finite
    (checked at C speed), else a copy with each lone surrogate replaced by a visible escape
    and each non-finite float by its NonFiniteNumber string."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False, default=repr).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return _cleaned(value)
    return value
