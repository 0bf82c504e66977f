"""The README's examples, run as written against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import vinr

from conftest import needs_server

README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> str:
    """The code block under "Every resource, one example each"."""
    section = README.read_text().split("## Every resource, one example each", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README has no example block"
    return found.group(1)


@needs_server
def test_the_readmes_examples_run_against_a_server(server, monkeypatch, capsys):
    base, key = server
    monkeypatch.setattr(vinr, "api_key", key)
    monkeypatch.setattr(vinr, "api_base", base)
    names: dict = {"vinr": vinr}
    exec(compile(examples(), str(README), "exec"), names)
    assert names["payment"].status == "requires_capture"
    assert vinr.Payment.retrieve(names["payment"].id).amount_refunded == 1500
    assert vinr.Payment.retrieve(names["challenged"].id).status == "succeeded"
    assert vinr.Subscription.retrieve(names["subscription"].id).status == "canceled"
    assert capsys.readouterr().out.count("pay_") >= 3
