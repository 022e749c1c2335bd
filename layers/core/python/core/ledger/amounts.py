"""Exact amounts for ledger transactions: integers of minor units at a scale, never floats.

`rescale` moves a value to another scale exactly, or refuses (`Inexact`) when that would
drop digits. `allocate` resolves one side of a transaction (its `from` or its `to`
entries) to an integer per entry, as Midaz does: an `amount` as given, a `share` as
`percentage` (and `percentageOfPercentage`, default 100) percent of the total, and a
`remaining` entry (at most one) as what the others leave. The side must come to the
total exactly, computed with exact fractions (`Mismatch` otherwise).

Shares whose exact values are not whole minor units (a third of 100, say) are floored;
what the flooring leaves (fewer minor units than there are shares) goes to the side's
last share entry, so a side always sums exactly and no share is off by more than that
remainder. A side with a `remaining` entry gives it instead: it takes whatever the
others leave, their flooring included.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


class Inexact(ValueError):
    """Converting to the target scale would drop digits."""


class Mismatch(ValueError):
    """A side's entries do not come to the total."""


def rescale(value: int, scale: int, target: int) -> int:
    """`value` at `scale` expressed at `target`, exactly: 1050 at 2 is 105 at 1, 10500 at 3."""
    if target >= scale:
        return value * 10 ** (target - scale)
    factor = 10 ** (scale - target)
    if value % factor:
        raise Inexact(f"{value} at scale {scale} has more digits than scale {target} keeps")
    return value // factor


@dataclass(frozen=True)
class Amount:
    value: int  # at the transaction's scale


@dataclass(frozen=True)
class Share:
    percentage: int  # 1..100
    of_percentage: int = 100  # Midaz's percentageOfPercentage, 1..100

    def exact(self, total: int) -> Fraction:
        return Fraction(total * self.percentage * self.of_percentage, 10_000)


@dataclass(frozen=True)
class Remaining:
    pass


Entry = Amount | Share | Remaining


def allocate(entries: list[Entry], total: int) -> list[int]:
    """The integer each entry of one side moves, in order; they sum to `total`."""
    if sum(isinstance(e, Remaining) for e in entries) > 1:
        raise Mismatch("a side has at most one remaining entry")
    fixed = sum((Fraction(e.value) for e in entries if isinstance(e, Amount)), Fraction(0))
    shares = sum((e.exact(total) for e in entries if isinstance(e, Share)), Fraction(0))
    rest = total - fixed - shares
    has_remaining = any(isinstance(e, Remaining) for e in entries)
    if rest < 0 or (rest != 0 and not has_remaining):
        came_to = fixed + shares
        raise Mismatch(f"the entries come to {float(came_to):g}, not {total}")
    floored = [int(e.exact(total)) if isinstance(e, Share) else 0 for e in entries]  # int() floors: >= 0
    out = []
    for entry, share in zip(entries, floored, strict=True):
        if isinstance(entry, Amount):
            out.append(entry.value)
        elif isinstance(entry, Share):
            out.append(share)
        else:
            out.append(-1)  # placeholder for the remaining entry, filled below
    if has_remaining:
        index = next(i for i, e in enumerate(entries) if isinstance(e, Remaining))
        out[index] = total - sum(v for i, v in enumerate(out) if i != index)
    else:
        last = max(i for i, e in enumerate(entries) if isinstance(e, Share)) if shares else None
        if last is not None:
            out[last] += total - sum(out)
    return out
