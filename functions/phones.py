"""Vietnamese mobile numbers: whatever the desk typed → one E.164 form (domain.md §5).

The phone is the key a ZBS status notice is sent to, and desks type it every way there is
(`0912 345 678`, `0912.345.678`, `+84 912345678`, `84912345678`, a pre-2018 11-digit number, a
spreadsheet that dropped the leading zero). We store E.164 and hand Zalo the `84…` digits.
Only mobiles are accepted: a landline cannot receive a Zalo message.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

COUNTRY_CODE = "84"

# The 2018 move from 11 to 10 digits: only the prefix changed, the last 7 digits stayed (§5.1).
# Keys and values are national significant prefixes (without the trunk 0).
OLD_PREFIXES: dict[str, str] = {
    # Viettel
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39",
    # MobiFone
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    # VinaPhone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    # Vietnamobile
    "186": "56", "188": "58",
    # Gmobile (Gtel)
    "199": "59",
}  # fmt: skip

_SEPARATORS = re.compile(r"[\s.\-()/]")
_DIGITS = re.compile(r"\+?\d+", re.ASCII)
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class InvalidPhone(ValueError):
    """Not a usable Vietnamese mobile number. `reason` is a short machine word for logs and metrics.

    Reasons: empty, not_a_number, not_vietnamese, invalid (wrong length or unallocated range),
    not_mobile (a valid landline or other non-mobile number).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(raw: str) -> str:
    """Any common way of writing a VN mobile number → E.164 `+84xxxxxxxxx`; raises InvalidPhone."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not compact:
        raise InvalidPhone("empty")
    if not _DIGITS.fullmatch(compact):
        raise InvalidPhone("not_a_number")
    national = _modernise(_national_number(compact))
    try:
        number = phonenumbers.parse("+" + COUNTRY_CODE + national)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone("invalid") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhone("not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def to_zalo(e164: str) -> str:
    """The `84xxxxxxxxx` digits ZBS wants (zalo-api.md §3). Accepts any form `normalise` accepts."""
    return normalise(e164).removeprefix("+")


def display(raw: str) -> str:
    """A Vietnamese number the way Vietnamese write it ('+84912345678' → '0912 345 678'), for print;
    anything else (a foreign or unparsable number) as it was."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return raw
    if str(number.country_code) != COUNTRY_CODE:
        return raw
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def _national_number(compact: str) -> str:
    """Strip the country code or trunk prefix, whichever way it was written, leaving the NSN."""
    if compact.startswith("+"):
        if not compact.startswith("+" + COUNTRY_CODE):
            raise InvalidPhone("not_vietnamese")
        national = compact[1 + len(COUNTRY_CODE) :]
    elif compact.startswith("00"):  # international call prefix dialled from Vietnam
        if not compact.startswith("00" + COUNTRY_CODE):
            raise InvalidPhone("not_vietnamese")
        national = compact[2 + len(COUNTRY_CODE) :]
    elif compact.startswith(COUNTRY_CODE) and len(compact) in (11, 12):
        national = compact[len(COUNTRY_CODE) :]
    else:
        national = compact  # 0xxxxxxxxx, or the 9 digits a spreadsheet left behind
    # "+84 0912…" is a common mix of both styles: the trunk 0 does not belong after the country code.
    return national.removeprefix("0")


def _modernise(national: str) -> str:
    """A pre-2018 11-digit mobile (NSN of 10 digits starting 1xx) → today's 9-digit NSN."""
    if len(national) == 10 and national[:3] in OLD_PREFIXES:
        return OLD_PREFIXES[national[:3]] + national[3:]
    return national
