"""The public status page `GET /tra-cuu/{code}?k=…`, opened from the receipt's QR or the chat's link.

A small HTML page for a phone (Vietnamese, no scripts, no external assets, inline CSS) showing the
same facts as the chat's status card (`messages.status_card`). Only a `k` issued by status_link.py
opens a dossier: anything else — wrong or missing `k`, unknown code, a code not synced yet — gets one
neutral page with the same status and the same bytes, so the page tells a stranger nothing about
which dossiers exist. Everything from the dossier is HTML-escaped; the applicant's name is masked.
"""

from __future__ import annotations

import base64
import hashlib
import html
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from functions import status_link
from functions.dossier_code import parse
from functions.messages import EXAMPLE_CODE, StatusCard, format_when, status_card
from functions.ports import DossierReader
from functions.statuses import DossierStatus

NOT_FOUND_STATUS = 404

# Mobile first: one column, system fonts, large enough to read at 360 px without zooming.
CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f3f5f8;color:#1b1f24;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans",Arial,sans-serif}
main{max-width:40rem;margin:0 auto;padding:16px}
header{margin-bottom:12px}
.org{margin:0;color:#4a5563;font-size:15px}
h1{margin:4px 0 0;font-size:22px;line-height:1.3}
h2{margin:0 0 6px;font-size:17px}
.code{margin:6px 0 0;color:#4a5563;font-size:15px}
.code strong{display:block;color:#1b1f24;font:700 17px/1.4 ui-monospace,Menlo,Consolas,monospace;
overflow-wrap:anywhere}
section{background:#fff;border-radius:10px;padding:14px 16px;margin:12px 0;border:1px solid #dde2e8}
.status{border-left:6px solid #1f6feb}
.status.waiting{border-left-color:#c77700;background:#fff8ec}
.status.done{border-left-color:#1a7f37;background:#f0faf3}
.status.closed{border-left-color:#6e7781}
.label{margin:0 0 4px;font-size:20px;font-weight:700}
.overdue{background:#fff0f0;border:1px solid #e5a3a3;color:#8c1d1d;font-weight:700}
p{margin:0 0 6px}
.note{white-space:pre-line}
dl{margin:0}
dl div{padding:8px 0;border-top:1px solid #eef1f4}
dl div:first-child{border-top:0;padding-top:0}
dt{color:#4a5563;font-size:15px}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
ul{margin:0;padding-left:20px}
li{margin:4px 0}
footer{color:#4a5563;font-size:14px;margin-top:16px}
""".strip()

_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
# Nothing may load or run but the one inline stylesheet above (by its hash).
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",  # the URL carries k: never hand it to another site
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

_STATUS_CLASS = {
    DossierStatus.YEU_CAU_BO_SUNG: "waiting",
    DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH: "waiting",
    DossierStatus.DA_XU_LY_XONG: "done",
    DossierStatus.DA_TRA_KET_QUA: "done",
    DossierStatus.KHONG_DUOC_TIEP_NHAN: "closed",
    DossierStatus.CONG_DAN_RUT_HO_SO: "closed",
    DossierStatus.DUNG_XU_LY: "closed",
}


@dataclass(frozen=True)
class Page:
    status_code: int
    body: str
    headers: dict[str, str] = field(default_factory=lambda: dict(HEADERS))


class StatusPages:
    """Answers `/tra-cuu/{code}?k=…`: the dossier's page for a link we issued, the neutral page otherwise."""

    def __init__(
        self,
        dossiers: DossierReader,
        link_key: str,
        province_name: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.dossiers = dossiers
        self.link_key = link_key
        self.province_name = province_name
        self.clock = clock

    def page(self, code: str, k: str | None) -> Page:
        """The page for this path (`code` as it came, maybe percent-encoded) and its `k`."""
        raw = unquote(code or "")
        parsed = parse(raw)
        if parsed is None or not status_link.verify(parsed.text, k or "", self.link_key):
            return self.not_found()
        dossier = self.dossiers.get(parsed.text)
        if dossier is None:
            return self.not_found()
        now = self.clock()
        return Page(200, render_status(status_card(dossier, now), now, self.province_name))

    def not_found(self) -> Page:
        return Page(NOT_FOUND_STATUS, render_not_found(self.province_name))


def render_status(card: StatusCard, now: datetime, province_name: str) -> str:
    """The dossier's page: state first (what the citizen came for), then the details."""
    status_class = _STATUS_CLASS.get(card.status, "") if card.status else ""
    parts = [
        f'<section class="status {status_class}" id="status">',
        f'<p class="label">{_e(card.status_label)}</p>' if card.status_label else "",
        f"<p>{_e(card.explain)}</p></section>",
    ]
    if card.overdue:
        overdue = _e(card.overdue)
        parts.append(f'<section class="overdue" id="overdue" role="alert"><p>{overdue}</p></section>')
    if card.action:
        title = f"<h2>{_e(card.action_title)}</h2>" if card.action_title else ""
        parts.append(f'<section id="action">{title}<p class="note">{_e(card.action)}</p></section>')
    if card.collect:
        parts.append(f'<section id="collect"><h2>Nhận kết quả</h2><p>{_e(card.collect)}</p></section>')
    facts = "".join(f"<div><dt>{_e(title)}</dt><dd>{_e(value)}</dd></div>" for title, value in card.facts)
    if facts:
        parts.append(f'<section id="facts"><h2>Thông tin hồ sơ</h2><dl>{facts}</dl></section>')
    footer = (
        f"Thông tin tính đến {_e(format_when(now))}. Đường liên kết này dành riêng cho người giữ "
        "Phiếu tiếp nhận hồ sơ; vui lòng không chia sẻ công khai."
    )
    return _document(
        title=f"Hồ sơ {card.code}",
        heading="Tình trạng hồ sơ",
        code=card.code,
        body="".join(parts),
        footer=footer,
        province_name=province_name,
    )


def render_not_found(province_name: str) -> str:
    """The one page for every link that does not open a dossier. It echoes nothing from the URL."""
    body = (
        '<section id="not-found">'
        "<p>Không thể hiển thị thông tin hồ sơ từ đường liên kết này. Đường liên kết có thể bị sai, "
        "thiếu ký tự hoặc hồ sơ chưa được cập nhật lên hệ thống.</p></section>"
        '<section id="how-to"><h2>Cách tra cứu</h2><ul>'
        "<li>Quét lại mã QR in trên Phiếu tiếp nhận hồ sơ và hẹn trả kết quả bằng Zalo hoặc máy ảnh "
        "của điện thoại.</li>"
        "<li>Gửi mã hồ sơ in trên phiếu (ví dụ "
        f"{_e(EXAMPLE_CODE)}) hoặc ảnh chụp mã QR cho Official Account Dịch vụ công "
        f"{_e(province_name)} trên Zalo.</li>"
        "<li>Liên hệ Bộ phận Một cửa nơi đã nộp hồ sơ.</li>"
        "</ul></section>"
    )
    return _document(
        title="Tra cứu hồ sơ",
        heading="Tra cứu hồ sơ",
        code="",
        body=body,
        footer="",
        province_name=province_name,
    )


def _document(*, title: str, heading: str, code: str, body: str, footer: str, province_name: str) -> str:
    code_line = f'<p class="code" id="code">Mã hồ sơ <strong>{_e(code)}</strong></p>' if code else ""
    footer_html = f"<footer><p>{footer}</p></footer>" if footer else ""
    page = (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)} — Dịch vụ công {_e(province_name)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header><p class="org">Dịch vụ công {_e(province_name)}</p>'
        f"<h1>{_e(heading)}</h1>{code_line}</header>\n"
        f"{body}\n{footer_html}\n</main>\n</body>\n</html>\n"
    )
    return unicodedata.normalize("NFC", page)


def _e(text: str) -> str:
    return html.escape(text, quote=True)
