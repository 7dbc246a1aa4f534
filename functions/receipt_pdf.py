"""The receipt as an A4 PDF: Mẫu số 01's blocks (domain.md §3.1), the QR code top-left (where TT 01/2023
puts it) drawn as vector squares, Vietnamese text in an embedded font.

The font is Liberation Serif 2.1 (functions/fonts/, SIL OFL 1.1): metric-compatible with Times New Roman,
which NĐ 30/2020/NĐ-CP prescribes for administrative documents, so the receipt looks like the forms the
desk already prints, and it covers every Vietnamese letter (Debian's older Liberation 1.07 does not:
it lacks ả, ạ, ề, ệ, …). ReportLab embeds only the glyphs used, with a ToUnicode map, so the text can
be searched and extracted. ReportLab over fpdf2: 5 MB less in the Lambda zip and a third of the import
time (measured: ~120 ms against ~430 ms), and it needs no fontTools.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from functions.qr_codes import QUIET_ZONE, modules
from functions.receipt_data import Receipt, date_line, time_and_date

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "LiberationSerif"
QR_SIDE_MM = 22.0  # the symbol; with its quiet zone it fills the 27 mm header column
DOTS = "……………………………………"


@functools.cache
def _fonts() -> None:
    """Register the embedded font family once per process (what <b> and <i> map to)."""
    for style, suffix in (("", "Regular"), ("-Bold", "Bold"), ("-Italic", "Italic")):
        pdfmetrics.registerFont(TTFont(FONT + style, str(FONT_DIR / f"LiberationSerif-{suffix}.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT + "-Bold", italic=FONT + "-Italic", boldItalic=FONT + "-Bold"
    )


def _style(size: float = 13, center: bool = False, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{center}",
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.3,
        alignment=TA_CENTER if center else 0,
        spaceAfter=2,
    )


class QrSymbol(Flowable):
    """The QR code as filled squares (sharp at any printer resolution), with its white quiet zone."""

    def __init__(self, url: str, side_mm: float = QR_SIDE_MM) -> None:
        super().__init__()
        self.rows = modules(url)
        self.module = side_mm * mm / len(self.rows)
        self.width = self.height = (len(self.rows) + 2 * QUIET_ZONE) * self.module

    def draw(self) -> None:
        canvas, size, count = self.canv, self.module, len(self.rows)
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(self.rows):
            y = (QUIET_ZONE + count - 1 - r) * size
            c = 0
            while c < count:  # one rectangle per run of dark modules: fewer, cleaner shapes
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < count and row[c]:
                    c += 1
                canvas.rect((QUIET_ZONE + start) * size, y, (c - start) * size, size, stroke=0, fill=1)


def render(receipt: Receipt, status_url: str, lookup_hint: str = "") -> bytes:
    """The receipt PDF. `status_url` is what the QR opens; `lookup_hint` names the Zalo OA to ask."""
    _fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=30 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Phiếu tiếp nhận hồ sơ {receipt.code}",
        author="Bộ phận tiếp nhận và trả kết quả",
        creator="dvc-zalo",
    )
    doc.build(_header(receipt, status_url) + _body(receipt, lookup_hint) + [_signatures(receipt)])
    return out.getvalue()


def _p(markup: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup, style)


def _v(value: str) -> str:
    """A value from the record, escaped for the markup; blank prints dots to fill in by hand."""
    return escape(value) if value else DOTS


def _header(receipt: Receipt, status_url: str) -> list[Flowable]:
    small, small_c = _style(8, center=True), _style(11.5, center=True, leading=14)
    left = [
        _p(escape(receipt.receiving_agency.upper()) or DOTS, small_c),
        _p("<b>BỘ PHẬN TIẾP NHẬN<br/>VÀ TRẢ KẾT QUẢ</b>", small_c),
        _p("―――――", small_c),
    ]
    right = [
        _p("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", _style(11, center=True)),
        _p("<b>Độc lập - Tự do - Hạnh phúc</b>", _style(12.5, center=True)),
        _p("―――――――――", small_c),
        _p(f"<i>{escape(date_line(receipt.place, receipt.received_at))}</i>", _style(12.5, center=True)),
    ]
    qr = [QrSymbol(status_url), _p("Quét để tra cứu", small)]
    table = Table([[qr, left, right]], colWidths=[28 * mm, 47 * mm, 85 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [table, Spacer(1, 6 * mm)]


def _body(receipt: Receipt, lookup_hint: str) -> list[Flowable]:
    text = _style()
    title = [
        _p("<b>PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</b>", _style(14, center=True)),
        _p(f"Mã hồ sơ: <b>{escape(receipt.code)}</b>", _style(13, center=True)),
    ]
    if receipt.receipt_number:
        title.append(_p(f"Số biên nhận: {escape(receipt.receipt_number)}", _style(12, center=True)))
    days = str(receipt.working_days) if receipt.working_days is not None else "……"
    lines = [
        f"Tiếp nhận hồ sơ của: <b>{_v(receipt.applicant_name)}</b>",
        f"Địa chỉ: {_v(receipt.address)}",
        f"Số điện thoại: {_v(receipt.phone)}&nbsp;&nbsp;&nbsp;&nbsp;Email: {_v(receipt.email)}",
        f"Nội dung yêu cầu giải quyết: <b>{_v(receipt.procedure_name)}</b>",
        f"Cơ quan giải quyết: {_v(receipt.processing_unit)}",
        "1. Thành phần hồ sơ nộp gồm:",
    ]
    after = [
        f"2. Số lượng hồ sơ: {receipt.sets:02d} (bộ)",
        f"3. Thời gian giải quyết hồ sơ theo quy định: {days} ngày làm việc",
        f"4. Thời gian nhận hồ sơ: {time_and_date(receipt.received_at)}",
        f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{time_and_date(receipt.due_at)}</b>",
        f"6. Đăng ký nhận kết quả tại: {_v(receipt.result_place)}",
        "Vào Sổ theo dõi hồ sơ, Quyển số: ……, Số thứ tự: ……",
    ]
    notes = _lookup_notes(receipt, lookup_hint)
    return (
        title
        + [Spacer(1, 4 * mm)]
        + [_p(line, text) for line in lines]
        + [_documents(receipt)]
        + [_p(line, text) for line in after]
        + [Spacer(1, 2 * mm)]
        + [_p(f"<i>{line}</i>", _style(11.5)) for line in notes]
        + [Spacer(1, 6 * mm)]
    )


def _lookup_notes(receipt: Receipt, lookup_hint: str) -> list[str]:
    where = f" hoặc nhắn mã hồ sơ cho {escape(lookup_hint)} trên Zalo" if lookup_hint else ""
    notes = [f"Tra cứu tình trạng hồ sơ: quét mã QR ở góc trên bên trái{where}."]
    if receipt.notify_zalo:
        notes.append(
            f"Ông/Bà đã đăng ký nhận thông báo trạng thái hồ sơ qua Zalo theo số {_v(receipt.phone)}."
        )
    notes.append("Kết quả có thể được trả qua dịch vụ bưu chính công ích nếu Ông/Bà có yêu cầu.")
    return notes


def _documents(receipt: Receipt) -> Flowable:
    cell = _style(11.5, leading=14)
    if not receipt.documents:
        return _p(DOTS * 3, _style())
    rows = [[_p(f"<b>{h}</b>", cell) for h in ("TT", "Tên giấy tờ", "Hình thức", "Số lượng")]]
    for number, doc in enumerate(receipt.documents, start=1):
        rows.append([_p(str(number), cell), _p(escape(doc.name), cell), _p(escape(doc.form), cell),
                     _p(str(doc.count), cell)])  # fmt: skip
    table = Table(rows, colWidths=[10 * mm, 95 * mm, 35 * mm, 20 * mm], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return table


def _signatures(receipt: Receipt) -> Table:
    c, ci = _style(12.5, center=True), _style(11.5, center=True)
    left = [_p("<b>NGƯỜI NỘP HỒ SƠ</b>", c), _p("<i>(Ký và ghi rõ họ tên)</i>", ci), Spacer(1, 18 * mm),
            _p(escape(receipt.applicant_name), c)]  # fmt: skip
    right = [_p("<b>NGƯỜI TIẾP NHẬN HỒ SƠ</b>", c), _p("<i>(Ký và ghi rõ họ tên)</i>", ci),
             Spacer(1, 18 * mm), _p(escape(receipt.officer), c)]  # fmt: skip
    return Table([[left, right]], colWidths=[80 * mm, 80 * mm])
