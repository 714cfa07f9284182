"""The burgerservicenummer: validation (11-proef) and masking. It never leaves here in
clear text except on the student's own page field for roles that edit it."""

import re

_NINE_DIGITS = re.compile(r"\d{9}")


def is_valid_bsn(value: str) -> bool:
    """Exactly nine digits that pass the 11-proef (weights 9..2 and -1)."""
    if not _NINE_DIGITS.fullmatch(value or ""):
        return False
    digits = [int(c) for c in value]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and value != "000000000"


def mask_bsn(value: str) -> str:
    """Show only the last three digits: '*****6789'-style, never the whole number."""
    if not value:
        return ""
    return "••••••" + value[-3:]
