"""Dossier codes (mã hồ sơ TTHC) `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`, found the way citizens type them.

TT 01/2018/TT-VPCP Art. 19 fixes the shape (domain.md §1.1, §1.5): the receiving agency's id, the
receipt date and a sequence number within the day. Citizens paste it into Zalo in every possible
form (lower case, inside a sentence, with spaces around the hyphens, with full-width digits from a
Vietnamese IME, inside the URL a receipt's QR code opens), so the finder is tolerant about the
wrapping but strict about the code itself: a valid date, and never a TTHC procedure code such as
`1.011442.000.00.00.H38`. Codes of every province are accepted: a merged province holds old (H46)
and new (H50) codes side by side (domain.md §1.4).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

_AGENCY = r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z]\d{2}"
# As typed: a dot with spaces around it, or the dot left out ("000 00 12 H46", "0000012H46"). The
# fixed segment lengths and the letter of the level-1 unit keep that unambiguous.
_DOT = r"\s{0,2}\.?\s{0,2}"
_TYPED_AGENCY = rf"[0-9A-Z]{{3}}{_DOT}[0-9A-Z]{{2}}{_DOT}[0-9A-Z]{{2}}{_DOT}[A-Z]\d{{2}}"
# A hyphen with spaces (or a line break from a PDF) around it, or spaces alone instead of it.
_HYPHEN = r"(?:\s{0,3}-\s{0,3}|\s{1,3})"

# Not preceded by a digit or a dot: that keeps TTHC codes (`1.011442.000.00.00.H38`) and longer digit
# runs out, while "HS000.00.12.H46-…" (glued to an abbreviation) is still found. Not followed by a
# digit: a 6-digit "sequence" is no sequence.
CODE_PATTERN: re.Pattern[str] = re.compile(
    rf"(?<![0-9.])(?P<agency>{_TYPED_AGENCY}){_HYPHEN}(?P<date>\d{{6}}){_HYPHEN}(?P<seq>\d{{4,5}})(?!\d)",
    re.ASCII | re.IGNORECASE,
)
_AGENCY_RE = re.compile(_AGENCY, re.ASCII)
_SEQUENCE_RE = re.compile(r"\d{4,5}", re.ASCII)

# Hyphen look-alikes that phones and word processors substitute; NFKC leaves most of them alone.
# Invisible characters that copy-paste carries along (zero-width spaces and joiners, the BOM, the
# soft hyphen) are dropped.
_DASHES = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"),
    }
)
_SEPARATORS = re.compile(r"[\s.]", re.ASCII)


@dataclass(frozen=True)
class DossierCode:
    """A parsed code. Built only from valid parts, so `.text` always parses back to an equal value."""

    agency: str  # e.g. 000.00.12.H46 (the receiving unit's id, QCVN 102:2016)
    received_on: date  # YYMMDD
    sequence: str  # "0003": a string, because the leading zeros are part of the code

    def __post_init__(self) -> None:
        if not _AGENCY_RE.fullmatch(self.agency):
            raise ValueError(f"not an agency id: {self.agency!r}")
        if not _SEQUENCE_RE.fullmatch(self.sequence):
            raise ValueError(f"not a sequence number: {self.sequence!r}")
        if not 2000 <= self.received_on.year <= 2099:
            raise ValueError("YYMMDD can only express the years 2000–2099")

    @property
    def text(self) -> str:
        """The canonical form, as stored in MaHoSo: `000.00.12.H46-240115-0003`."""
        return f"{self.agency}-{self.received_on:%y%m%d}-{self.sequence}"

    @property
    def province(self) -> str:
        """The level-1 unit (`H46`), which tells which province's system received the dossier."""
        return self.agency.rsplit(".", 1)[1]


def normalise_input(text: str) -> str:
    """NFKC (full-width digits and dots) plus hyphen look-alikes → '-': what the pattern expects."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES)


def parse(text: str) -> DossierCode | None:
    """The code when the whole string (give or take case and spacing) is one dossier code, else None."""
    match = CODE_PATTERN.fullmatch(normalise_input(text).strip())
    return _from_match(match) if match else None


def find_codes(text: str, limit: int = 5) -> list[str]:
    """Canonical codes found anywhere in free text, first occurrence order, without duplicates.

    At most `limit` are returned; ask for `limit + 1` to learn whether the citizen sent too many.
    """
    prepared = normalise_input(text)
    if "%" in prepared:  # a percent-encoded URL from a QR scanner or a share sheet
        prepared = unquote(prepared)
    found: list[str] = []
    for match in CODE_PATTERN.finditer(prepared):
        if len(found) >= limit:
            break
        code = _from_match(match)
        if code is not None and code.text not in found:
            found.append(code.text)
    return found


def _from_match(match: re.Match[str]) -> DossierCode | None:
    received_on = _receipt_date(match["date"])
    if received_on is None:
        return None
    segments = _SEPARATORS.sub("", match["agency"]).upper()
    agency = f"{segments[:3]}.{segments[3:5]}.{segments[5:7]}.{segments[7:]}"
    return DossierCode(agency, received_on, match["seq"])


def _receipt_date(yymmdd: str) -> date | None:
    """YYMMDD → date in 2000–2099; None for 241315 and the like (a mistyped or made-up code)."""
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return None
