"""Caps a graph file must stay within (each refusal names the cap): sizes, depth, bytes."""

from __future__ import annotations

MAX_ELEMENTS = 2**40
"""Elements of one tensor (a shape, a creation op's size, an array in the .npz)."""

MAX_RANK = 64
"""Dims of one tensor (numpy's own limit)."""

MAX_DEPTH = 48
"""Nesting depth of a whole JSON document (tagged params and literals sit at depth ~8)."""

MAX_ARRAY_BYTES = 2**34
"""Bytes of one array in the .npz side-car (16 GiB): a bigger header is refused unread."""

MAX_FILE_BYTES = 2**30
"""Bytes of a graph's .json file."""

MAX_INT = 2**63 - 1
"""Largest magnitude of an integer param or literal (numpy's int64)."""
