"""Money a model asks to grant: whole cents of the line's currency, or a reason it isn't.

The manager's tools take an amount and a currency from the model. Nothing is rounded and
nothing is converted: an amount is granted exactly as asked, or refused with a message
the model can act on (`GrantRefused`, which becomes a tool error).

    amount = grant_amount(12.5, "usd", line="USD")   # Decimal("12.50")
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

CENT = Decimal("0.01")
_CODE = re.compile(r"[A-Za-z]{3}")  # ISO 4217 letters only: no symbols, no look-alikes


class GrantRefused(ValueError):
    """The requested grant can't be made as asked; `str()` tells the model what to do."""


def check_currency(given: str | None, *, line: str) -> None:
    """`given` must be the line's currency code (any case, surrounding spaces ignored).
    None (left out) means the line's currency."""
    if given is None:
        return
    code = given.strip()
    if _CODE.fullmatch(code) and code.upper() == line:
        return
    raise GrantRefused(
        f"Nothing was granted: currency {given!r} is not accepted. Grants on this line are in "
        f"{line} only: call again with currency {line!r} and the amount in {line}. If the "
        f"caller asked in another currency, don't convert it yourself: tell them grants are "
        f"in {line} and agree the amount in {line} with them."
    )


def grant_amount(amount: float, currency: str | None, *, line: str) -> Decimal:
    """The amount to grant, exactly as asked, in whole cents of `line`'s currency."""
    check_currency(currency, line=line)
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise GrantRefused(f"Nothing was granted: the amount must be a number of {line}.")
    if isinstance(amount, float) and not math.isfinite(amount):
        raise GrantRefused(
            f"Nothing was granted: the amount must be a finite number of {line}, like 25.00."
        )
    try:
        value = Decimal(str(amount))
    except InvalidOperation:  # pragma: no cover - every finite int and float converts
        raise GrantRefused(f"Nothing was granted: the amount must be a number of {line}.") from None
    if value <= 0:
        raise GrantRefused(
            f"Nothing was granted: the amount must be more than 0 {line} (the smallest is 0.01)."
        )
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        low = value.quantize(CENT, rounding=ROUND_FLOOR)
        high = value.quantize(CENT, rounding=ROUND_CEILING)
        options = f"{high}" if low <= 0 else f"{low} or {high}"
        raise GrantRefused(
            f"Nothing was granted: amounts are in whole cents, and {value} {line} is not. "
            f"Use {options} {line}, as agreed with the caller."
        )
    return value.quantize(CENT) if value.adjusted() < 20 else value
