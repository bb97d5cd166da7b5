"""Hypothesis profiles: `ci` (used by `make test`) replays the same examples on every run.

A plain `pytest` run draws fresh examples, so new counter-examples are still found while
developing; a failure prints its reproduce blob either way.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("dev")
