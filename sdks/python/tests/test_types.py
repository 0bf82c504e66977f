"""The SDK as a type checker reads it (mypy over merchant code): a list's items are the
objects' own classes, so `for payment in client.payments.list()` knows a payment's fields."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

SAMPLE = textwrap.dedent(
    """
    from vinr import VinrClient

    with VinrClient(api_key="sk_test_x") as client:
        page = client.payments.list(limit=3)
        reveal_type(page)
        for payment in page:
            reveal_type(payment)
        reveal_type(next(page.auto_paging_iter()).amount)
        reveal_type(page.data)
        reveal_type(client.loyalty.points.transactions.list())
        amount: str = page.data[0].amount
    """
)


def test_lists_are_typed_by_their_objects(tmp_path: Path) -> None:
    sample = tmp_path / "merchant.py"
    sample.write_text(SAMPLE)
    out, err, status = api.run(
        [str(sample), "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "--strict"]
    )
    revealed = [line.split("Revealed type is ", 1)[1] for line in out.splitlines() if "Revealed type is" in line]
    assert revealed == [
        '"vinr._api.ListObject[vinr.objects.Payment]"',
        '"vinr.objects.Payment"',
        '"int"',
        '"list[vinr.objects.Payment]"',
        '"vinr._api.ListObject[vinr.objects.PointsTransaction]"',
    ], out + err
    # A field read with the wrong type is caught: the list's items are not `Any`.
    assert 'Incompatible types in assignment (expression has type "int", variable has type "str")' in out, out
    assert status == 1
