"""The engine's glibc malloc tuning at import: on by default on glibc, opt-out by env var."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = "import vizflow_engine.backend as b; print(b.MALLOC_TUNED)"


def _tuned(**env: str) -> str:
    e = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    e.pop("VIZFLOW_NO_MALLOC_TUNING", None)
    e.update(env)
    out = subprocess.run(
        [sys.executable, "-c", CODE], env=e, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_opt_out_env_var_disables_tuning() -> None:
    assert _tuned(VIZFLOW_NO_MALLOC_TUNING="1") == "False"


def test_explicit_malloc_env_settings_win() -> None:
    assert _tuned(MALLOC_TRIM_THRESHOLD_="131072") == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_tuned_on_glibc_by_default() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert _tuned() == "True"


def test_tune_malloc_never_raises() -> None:
    from vizflow_engine.backend import tune_malloc

    assert tune_malloc() in (True, False)
