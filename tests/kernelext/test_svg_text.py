"""Names XML cannot hold still give a valid SVG from the graphviz fallback, shown escaped."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

import vizflow as vf
from vizflow_kernelext.svg_fallback import render_svg
from vizflow_kernelext.xml_text import xml_safe

BAD_NAMES = {
    "a control character": ("bell\x07ring", "bell\\x07ring"),
    "NUL and escape": ("a\x00b\x1b", "a\\x00b\\x1b"),
    "U+FFFE": ("x\ufffey", "x\\ufffey"),
    "U+FFFF": ("x\uffffy", "x\\uffffy"),
    "a lone high surrogate": ("hi\ud800", "hi\\ud800"),
    "a lone low surrogate": ("\udfffend", "\\udfffend"),
    "an entity": ("&#1;&nbsp;&amp;", "&#1;&nbsp;&amp;"),
}


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_xml_safe_makes_forbidden_characters_visible(case: str) -> None:
    name, shown = BAD_NAMES[case]
    assert xml_safe(name) == shown.replace("&#1;&nbsp;&amp;", name)


def test_xml_safe_keeps_what_xml_allows() -> None:
    text = "tab\tnewline\ncr\r é ☃ \U0001f600 \x7f \ufffd"
    assert xml_safe(text) == text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is not installed")
@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_fallback_svg_parses_with_a_bad_name_and_shows_it_escaped(case: str) -> None:
    name, shown = BAD_NAMES[case]
    x = vf.tensor([1.0, 2.0], requires_grad=True, name=name)
    payload = vf.show((x * 3.0).sum()).payload
    payload["nodes"][0]["id"] = name  # ids reach the SVG too (as <title>)
    for edge in payload["edges"]:
        edge["source"] = name if edge["source"] == "n0" else edge["source"]
    svg = render_svg(payload)
    assert svg is not None
    root = ET.fromstring(svg.encode("utf-8"))  # XML 1.0 well-formed, or this raises
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert shown in texts
