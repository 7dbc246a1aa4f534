"""The receipt's QR code: the public status-page link (status_link.url) as a QR symbol, for the PDF
receipt, and as PNG and SVG for one-stop systems that print their own receipts.

Legible at 2 cm. The link is ~75 bytes with a short base URL (`https://dvc.example.gov.vn/tra-cuu/
000.00.12.H46-240115-0003?k=` + 16 characters), which at error correction M fits QR version 5:
37 modules, so a 2 cm symbol has 0.54 mm modules — 6 printer dots at 300 dpi, and well inside what
a phone camera resolves at reading distance. M (15 % of the symbol recoverable) is the usual choice
for print: it survives a fold, a stamp's edge or a smudge without growing the symbol the way Q or H
would (H would need version 8, 49 modules, 0.41 mm at 2 cm). Every character of the base URL adds to
the symbol: keep PUBLIC_BASE_URL short (no path, no port in production); `MAX_VERSION` guards it.
The quiet zone (4 modules) is part of every image we produce.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.image.svg import SvgPathFillImage

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004 minimum)
DEFAULT_SIDE_MM = 20.0  # printed side of the symbol itself, quiet zone not counted
MAX_VERSION = 6  # 41 modules: 0.49 mm at 2 cm; anything denser means the base URL is too long
_PIXELS_PER_MODULE = 10


class LinkTooLong(ValueError):
    """The link needs a QR code too dense to print legibly at 2 cm: shorten PUBLIC_BASE_URL."""


def build(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=_PIXELS_PER_MODULE)
    qr.add_data(url)
    qr.make(fit=True)
    if qr.version > MAX_VERSION:
        raise LinkTooLong(
            f"QR version {qr.version} for a {len(url)}-character link is too dense for a 2 cm print; "
            "shorten PUBLIC_BASE_URL"
        )
    return qr


def modules(url: str) -> list[list[bool]]:
    """The symbol's dark modules row by row, quiet zone excluded (for vector drawing in the PDF)."""
    return [list(row) for row in build(url).modules]


def png(url: str, side_mm: float = DEFAULT_SIDE_MM) -> bytes:
    """PNG with 10 px per module and a DPI set so that it prints with a `side_mm` symbol by default."""
    qr = build(url)
    image = qr.make_image(fill_color="black", back_color="white").get_image()
    dpi = round(qr.modules_count * _PIXELS_PER_MODULE / (side_mm / 25.4))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def svg(url: str, side_mm: float = DEFAULT_SIDE_MM) -> bytes:
    """One <path> SVG on white, sized in mm to print the symbol at `side_mm`; scales without loss."""
    qr = build(url)
    image = qr.make_image(image_factory=SvgPathFillImage)
    total_mm = side_mm * (qr.modules_count + 2 * QUIET_ZONE) / qr.modules_count
    root = image.get_image()
    root.set("width", f"{total_mm:.2f}mm")
    root.set("height", f"{total_mm:.2f}mm")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + image.to_string(encoding="unicode").encode()
