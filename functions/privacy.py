"""Masks for personal data, so that logs and chat replies never carry it whole (design.md, domain.md §6).

Phones, names, CCCD numbers and Zalo user ids linked to a person are personal data under
NĐ 13/2023 and Law 91/2025. The masks keep just enough for the owner (or an operator comparing
with a complaint) to recognise a value, and not enough for a stranger to use it: at most 5 digits
of a phone, initials of a name, the last 4 characters of an id.
"""

from __future__ import annotations

import re
import unicodedata

from functions import dossier_code, phones

# 9+ digits, optionally '+'-led, with single spaces/dots/hyphens between them: phones
# (`0912 345 678`, `+84.912.345.678`), CMND/CCCD (9/12 digits), bank accounts.
_DIGIT_RUN = re.compile(r"\+?\d(?:[ .\-]?\d){8,}")
# Kept as they are: dossier codes (their `240115-0003` looks like a phone), and the hex ids and
# UUIDs we generate (notice ids, message ids), which often hold 9+ digits in a row.
_KEEP = re.compile(
    "|".join(
        [
            dossier_code.CODE_PATTERN.pattern,
            r"(?<![0-9A-Z])(?=[0-9]*[A-F])[0-9A-F]{20,}(?![0-9A-Z])",
            r"(?<![0-9A-Z])[0-9A-F]{8}(?:-[0-9A-F]{4}){3}-[0-9A-F]{12}(?![0-9A-Z])",
        ]
    ),
    re.ASCII | re.IGNORECASE,
)
_NOT_DIGIT = re.compile(r"\D")


def mask_phone(phone: str) -> str:
    """`+84912345678` → `+8491****678`: the carrier prefix and last 3 digits, never more than 5.

    Anything that is not a valid VN mobile keeps at most its last 3 digits. Never raises: it is
    called on the way into logs with whatever the desk typed.
    """
    if not phone or not phone.strip():
        return ""
    return _mask_mobile(phone) or _mask_digits(phone)


def mask_name(name: str) -> str:
    """`Nguyễn Thị Hương` → `Nguyễn T. H.`: the family name and initials.

    The owner recognises their own name; a stranger learns a common family name and two letters.
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return _initial(words[0])
    return " ".join([words[0], *(_initial(word) for word in words[1:])])


def mask_user_id(user_id: str) -> str:
    """`5461837590210348291` → `***8291`: enough to match log lines, not enough to message the person."""
    text = str(user_id or "").strip()
    if not text:
        return ""
    return "****" if len(text) <= 4 else "***" + text[-4:]


def mask_text(text: str) -> str:
    """A citizen's free text with phone-like and CCCD-like digit runs masked, for logging it safely.

    Dossier codes are kept: they are what an operator needs to follow a complaint, and their digits
    (`240115-0003`) would otherwise look like a phone; so are hex ids (20+ hex characters with a
    letter) and UUIDs, which are ours, not the citizen's. Valid mobiles become `mask_phone` masks;
    other runs of 9+ digits (CCCD, CMND, landlines, accounts) become one `*` per digit.
    The text is NFKC-normalised, so full-width digits are caught too.
    """
    prepared = dossier_code.normalise_input(text or "")
    pieces: list[str] = []
    kept_until = 0
    for match in _KEEP.finditer(prepared):
        pieces.append(_DIGIT_RUN.sub(_mask_run, prepared[kept_until : match.start()]))
        pieces.append(match.group())
        kept_until = match.end()
    pieces.append(_DIGIT_RUN.sub(_mask_run, prepared[kept_until:]))
    return "".join(pieces)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    return _mask_mobile(run) or "*" * len(_NOT_DIGIT.sub("", run))


def _mask_mobile(raw: str) -> str | None:
    """The mask of a valid VN mobile, or None when `raw` is not one."""
    try:
        national = phones.normalise(raw).removeprefix("+" + phones.COUNTRY_CODE)
    except phones.InvalidPhone:
        return None
    return f"+{phones.COUNTRY_CODE}{national[:2]}****{national[-3:]}"


def _mask_digits(raw: str) -> str:
    """Not a phone we understand: keep only the last 3 digits of a long run, nothing of a short one."""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", raw))
    if len(digits) >= 7:
        return "*" * (len(digits) - 3) + digits[-3:]
    return "*" * len(digits) if digits else "***"


def _initial(word: str) -> str:
    return word[0].upper() + "."
