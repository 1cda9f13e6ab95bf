"""A caller's phone number as E.164 (`+14155550123`), read in the line's region.

    to_e164("(415) 555-0123", region="US")   # "+14155550123"

A number written without a country code is read in `region` (PHONE_DEFAULT_REGION). What
can't be a phone number raises `ValueError` with a reason the model can act on: the
caller is asked again instead of the text being stored as given.
"""

from __future__ import annotations

import phonenumbers

E164_PATTERN = r"^\+[1-9]\d{6,14}$"


def to_e164(said: str, *, region: str | None) -> str:
    where = f"a {region} number" if region else "a number with its country code"
    try:
        number = phonenumbers.parse(said, region)
    except phonenumbers.NumberParseException:
        raise ValueError(
            f"{said!r} is not a phone number; ask for the full number, digits only "
            f"(without a + it is read as {where})"
        ) from None
    if number.extension:
        raise ValueError(
            f"{said!r} has an extension, which can't be stored; ask for a direct number"
        )
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            f"{said!r} is not a valid phone number (read as {where}); ask for the full "
            "number with its area code, or with + and the country code"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
