"""Text that XML 1.0 can hold: the one rule for names and labels going into SVG.

XML forbids control characters other than tab, newline and carriage return, U+FFFE,
U+FFFF and lone surrogates; a node name holding one would make the whole SVG unreadable.
Each is replaced by a visible escape (`\\x07`, `\\uffff`, `\\ud800`), so the name still
shows what it holds. The labextension's SVG export applies the same rule (`xmlSafe`).
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 forbids replaced by a visible escape."""
    return _FORBIDDEN.sub(_visible, text)
