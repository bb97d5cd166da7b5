"""The README's op table is the one the registry generates, and the registry counts its ops."""

from __future__ import annotations

from pathlib import Path

import pytest

import vizflow_engine as vf
from vizflow_engine import op_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_op_table_is_generated_from_the_registry() -> None:
    assert op_table.section(README.read_text(encoding="utf-8")) == op_table.markdown(), (
        "the README's op table is stale: run "
        "`.venv/bin/python -m vizflow_engine.op_table --write README.md`"
    )


def test_op_count_counts_primitives_and_composites() -> None:
    n = vf.registry.op_count()
    assert n["primitives"] == len(vf.all_ops())
    assert n["composites"] == len(vf.all_composites())
    assert n["total"] == n["primitives"] + n["composites"]


def test_the_table_has_one_row_per_op_with_its_formula() -> None:
    table = op_table.markdown()
    names = [r[0] for r in op_table.rows()]
    assert len(names) == vf.registry.op_count()["total"]
    assert "| `bitwise_and` | logical | primitive | z = x & y (bitwise) |" in table
    assert "| `abs` | elementwise | primitive | z = \\|x\\| |" in table  # | escaped
    assert "| `softmax` | neural | composite |" in table


def test_replacing_keeps_the_text_around_the_markers() -> None:
    text = f"before\n{op_table.BEGIN}\nold\n{op_table.END}\nafter\n"
    out = op_table.replaced(text)
    assert out.startswith("before\n") and out.endswith("after\n")
    assert op_table.section(out) == op_table.markdown()
    with pytest.raises(ValueError, match="markers"):
        op_table.replaced("no markers here")


def test_main_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert op_table.main([]) == 0
    assert capsys.readouterr().out.strip() == op_table.markdown()
    f = tmp_path / "doc.md"
    f.write_text(f"x\n{op_table.BEGIN}\n{op_table.END}\n", encoding="utf-8")
    assert op_table.main(["--write", str(f)]) == 0
    assert op_table.section(f.read_text(encoding="utf-8")) == op_table.markdown()
