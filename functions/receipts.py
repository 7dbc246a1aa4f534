"""Receipts for the one-stop desk: the PDF "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" and its QR code
alone (PNG, SVG) for one-stop systems that print their own receipts. Used by the officials' API
(functions/main.py) and the operators' CLI (`python -m mcdt receipt|qr`).

The QR opens the public status page through `status_link.url`, signed with STATUS_LINK_KEY, which stays
on our side: vendors get QR codes from the authenticated API, never the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from functions import dossier_code, status_link
from functions.config import Settings
from functions.ports import DossierItems
from functions.receipt_data import from_item


class NotConfigured(RuntimeError):
    """No STATUS_LINK_KEY: a QR code without a valid link must not be printed."""


class InvalidCode(ValueError):
    """Not a dossier code; the message is for the caller, in Vietnamese and English."""


@dataclass
class Receipts:
    items: DossierItems
    public_base_url: str
    status_link_key: str
    lookup_hint: str = ""  # who to message on Zalo, e.g. "Dịch vụ công tỉnh Quảng Trị"

    @classmethod
    def configured(cls, items: DossierItems, settings: Settings) -> Receipts:
        """With this deployment's public URL, link key and OA name (the API and the CLI alike)."""
        hint = f"Dịch vụ công {settings.province_name}"
        return cls(items, settings.public_base_url, settings.status_link_key, lookup_hint=hint)

    def status_url(self, code: str) -> str:
        """The link the QR encodes (code validated and canonicalised first)."""
        if not self.status_link_key:
            raise NotConfigured("STATUS_LINK_KEY chưa được cấu hình / STATUS_LINK_KEY is not configured")
        return status_link.url(self.public_base_url, canonical(code), self.status_link_key)

    def _item(self, code: str) -> Mapping[str, Any] | None:
        return self.items.get_item(canonical(code))  # a malformed code never reaches the table

    def pdf(self, code: str) -> bytes | None:
        """The receipt, or None when there is no such dossier. ReportLab loads only here (cold start)."""
        item = self._item(code)
        if item is None:
            return None
        from functions import receipt_pdf

        receipt = from_item(item)
        return receipt_pdf.render(receipt, self.status_url(receipt.code), self.lookup_hint)

    def qr_png(self, code: str) -> bytes | None:
        from functions import qr_codes  # qrcode and Pillow load only for receipts (cold start)

        return qr_codes.png(self.status_url(code)) if self._item(code) is not None else None

    def qr_svg(self, code: str) -> bytes | None:
        from functions import qr_codes

        return qr_codes.svg(self.status_url(code)) if self._item(code) is not None else None


def canonical(code: str) -> str:
    """`000.00.12.h46-240115-0003 ` → `000.00.12.H46-240115-0003`; InvalidCode for anything else."""
    parsed = dossier_code.parse(code)
    if parsed is None:
        raise InvalidCode(
            f"Mã hồ sơ không đúng dạng: {code!r} / Not a dossier code: {code!r} "
            "(vd./e.g. 000.00.12.H46-240115-0003)"
        )
    return parsed.text
