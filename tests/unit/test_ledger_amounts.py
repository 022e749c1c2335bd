"""Exact amounts (`core.ledger.amounts`): scale conversion that never drops a digit, and
the resolution of a transaction side's amount, share and remaining entries."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ledger.amounts import Amount, Inexact, Mismatch, Remaining, Share, allocate, rescale


@pytest.mark.parametrize(
    ("value", "scale", "target", "expected"),
    [(1050, 2, 1, 105), (1050, 2, 3, 10500), (7, 0, 2, 700), (0, 5, 0, 0), (-1200, 2, 0, -12)],
)
def test_rescale(value: int, scale: int, target: int, expected: int) -> None:
    assert rescale(value, scale, target) == expected


@pytest.mark.parametrize(("value", "scale", "target"), [(1055, 2, 1), (1, 1, 0), (123456789, 8, 2)])
def test_a_rescale_that_would_drop_digits(value: int, scale: int, target: int) -> None:
    with pytest.raises(Inexact):
        rescale(value, scale, target)


@given(st.integers(-(10**30), 10**30), st.integers(0, 18), st.integers(0, 18))
def test_rescale_round_trips_when_it_succeeds(value: int, scale: int, target: int) -> None:
    try:
        moved = rescale(value, scale, target)
    except Inexact:
        assert target < scale and value % 10 ** (scale - target)
        return
    assert rescale(moved, target, scale) == value
    assert Fraction(moved, 10**target) == Fraction(value, 10**scale)


def test_shares_of_a_third_each_sum_exactly() -> None:
    thirds = [Share(33), Share(33), Share(34)]
    assert allocate(thirds, 10) == [3, 3, 4]
    assert allocate(thirds, 100) == [33, 33, 34]
    assert allocate([Share(100, 33), Share(100, 33), Share(100, 34)], 1) == [0, 0, 1]
    assert allocate([Share(50), Share(50)], 101) == [50, 51]


def test_amounts_shares_and_remaining() -> None:
    assert allocate([Amount(30), Share(50), Remaining()], 100) == [30, 50, 20]
    assert allocate([Remaining(), Share(25)], 7) == [6, 1]
    assert allocate([Amount(100)], 100) == [100]


@pytest.mark.parametrize(
    "entries",
    [
        [Amount(60), Amount(30)],  # short
        [Amount(60), Amount(50)],  # over
        [Share(50), Share(40)],
        [Amount(80), Share(50), Remaining()],  # over before the remaining
        [Remaining(), Remaining()],
    ],
)
def test_a_side_that_does_not_come_to_the_total(entries: list[Amount | Share | Remaining]) -> None:
    with pytest.raises(Mismatch):
        allocate(entries, 100)


entry = st.one_of(
    st.builds(Amount, st.integers(1, 10**6)),
    st.builds(Share, st.integers(1, 100), st.integers(1, 100)),
)


@given(st.lists(entry, min_size=1, max_size=39), st.integers(1, 10**12), st.booleans())
def test_every_allocation_sums_to_the_total_or_is_refused(
    entries: list[Amount | Share], total: int, with_remaining: bool
) -> None:
    side: list[Amount | Share | Remaining] = [*entries, Remaining()] if with_remaining else list(entries)
    exact = sum(
        (Fraction(e.value) if isinstance(e, Amount) else e.exact(total) for e in entries), Fraction(0)
    )
    try:
        out = allocate(side, total)
    except Mismatch:
        assert exact > total or (exact != total and not with_remaining)
        return
    assert sum(out) == total and all(v >= 0 for v in out)
    shares = [i for i, e in enumerate(side) if isinstance(e, Share)]
    for i, e in enumerate(side):
        if isinstance(e, Amount):
            assert out[i] == e.value
        elif isinstance(e, Share) and (with_remaining or i != shares[-1]):
            assert out[i] == int(e.exact(total))  # floored, off by less than one unit
        elif isinstance(e, Share):
            assert 0 <= out[i] - e.exact(total) < len(shares)
