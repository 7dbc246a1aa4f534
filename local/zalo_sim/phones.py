"""Vietnamese phone numbers as Zalo sees them: `84…` digits.

The ZBS API is strict (zalo-api.md §3: `84…` or `+84…`), so a product that forgets to normalise
gets -108 here rather than in production. The control API and the phone page are lenient
(`0912 345 678` is fine) because people type numbers there.
"""

from __future__ import annotations

import re

_ZBS_FORM = re.compile(r"^\+?84([1-9]\d{8,9})$")  # 84 + 9 or 10 digits: 11-12 digits in all
_SEPARATORS = re.compile(r"[\s.\-()]")


def zbs_phone(raw: object) -> str | None:
    """The `84…` form of a ZBS `phone` field, or None when Zalo would answer -108."""
    if not isinstance(raw, str):
        return None
    match = _ZBS_FORM.match(raw.strip())
    return f"84{match.group(1)}" if match else None


def any_phone(raw: object) -> str | None:
    """The `84…` form of a number typed by a person (0…, 84…, +84…, with spaces or dots), or None."""
    if not isinstance(raw, str):
        return None
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("0") and not digits.startswith("00"):
        digits = "84" + digits[1:]
    return zbs_phone(digits)
