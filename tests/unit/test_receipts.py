"""Receipts: the PDF says the right things in correct Vietnamese, and its QR decodes back to the
status-page link, also from a rendered picture of the page and at 2 cm."""

from __future__ import annotations

import io
import unicodedata
import xml.etree.ElementTree as ET

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from functions import qr_codes, status_link
from functions.receipts import InvalidCode, Receipts

BASE = "https://dvc.example.gov.vn"
KEY = "test-status-link-key"
CODE = "000.00.12.H46-240115-0003"
ITEM = {
    "MaHoSo": CODE,
    "TrangThaiHoSo": 2,
    "TenTTHC": "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
    "DonViXuLy": "UBND xã Quảng Phú",
    "DonViTiepNhan": "Trung tâm Phục vụ hành chính công xã Quảng Phú",
    "DiaDanh": "Quảng Phú",
    "ChuHoSo": "Nguyễn Thị Hương",
    "DiaChi": "Thôn Trung Bính, xã Quảng Phú",
    "SoDienThoai": "+84912345678",
    "NhanThongBaoZalo": True,
    "NgayTiepNhan": "20240115083000",
    "NgayHenTra": "20240125160000",
    "SoNgayGiaiQuyet": 15,
    "NoiNhanKetQua": "Quầy số 3, Trung tâm Phục vụ hành chính công",
    "NguoiTiepNhan": "Trần Thị Mai",
    "ThanhPhanHoSo": [
        {"TenGiayTo": "Đơn đề nghị cấp giấy phép xây dựng", "HinhThuc": "Bản chính", "SoLuong": 1},
        {"TenGiayTo": "Giấy chứng nhận quyền sử dụng đất", "HinhThuc": "Bản sao", "SoLuong": 2},
    ],
}


class Items:
    def __init__(self, *items):
        self.items = {i["MaHoSo"]: i for i in items}

    def get_item(self, code):
        return self.items.get(code)


@pytest.fixture
def receipts() -> Receipts:
    return Receipts(Items(ITEM), BASE, KEY, lookup_hint="Dịch vụ công tỉnh Quảng Trị")


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def page_text(pdf: bytes) -> str:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_receipt_prints_the_form_fields_in_vietnamese(receipts):
    text = page_text(receipts.pdf(CODE.lower()))
    for expected in (
        "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Quảng Phú, ngày 15 tháng 01 năm 2024",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Hương",
        "Số điện thoại: 0912 345 678",
        "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        "Đơn đề nghị cấp giấy phép xây dựng",
        "3. Thời gian giải quyết hồ sơ theo quy định: 15 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 15 tháng 01 năm 2024",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 25 tháng 01 năm 2024",
        "6. Đăng ký nhận kết quả tại: Quầy số 3",
        "Dịch vụ công tỉnh Quảng Trị",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Trần Thị Mai",
    ):
        assert expected in text


def test_the_font_is_embedded():
    """Regular, bold and italic Liberation Serif travel inside the PDF (subsets): no printer lacks them."""
    reader = PdfReader(io.BytesIO(Receipts(Items(ITEM), BASE, KEY).pdf(CODE)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = {
        str(font["/BaseFont"]).split("+")[-1]
        for font in (fonts[name].get_object() for name in fonts)
        if "/FontFile2" in (font.get("/FontDescriptor") or {})
    }
    assert embedded == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}


def test_the_qr_on_the_rendered_page_opens_the_status_page(receipts):
    pdf = receipts.pdf(CODE)
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()  # an office printer's worth
    assert decode(page) == [status_link.url(BASE, CODE, KEY)]


def test_missing_optional_fields_print_as_lines_to_fill_in():
    bare = {k: ITEM[k] for k in ("MaHoSo", "TrangThaiHoSo", "TenTTHC", "DonViXuLy")}
    bare["ThanhPhanHoSo"] = "not a list"  # a vendor's mistake in a receipt-only field
    text = page_text(Receipts(Items(bare), BASE, KEY).pdf(CODE))
    assert "Tiếp nhận hồ sơ của: ……" in text
    assert "…… giờ …… phút, ngày …… tháng …… năm ……" in text


def test_unknown_and_malformed_codes(receipts):
    assert receipts.pdf("000.00.12.H46-240115-0999") is None
    assert receipts.qr_png("000.00.12.H46-240115-0999") is None
    with pytest.raises(InvalidCode, match="Not a dossier code"):
        receipts.pdf("1.011442.000.00.00.H38")


def test_no_receipt_without_the_link_key():
    from functions.receipts import NotConfigured

    with pytest.raises(NotConfigured, match="STATUS_LINK_KEY"):
        Receipts(Items(ITEM), BASE, "").pdf(CODE)


def test_the_png_decodes_at_2_cm_on_a_modest_scan(receipts):
    png = receipts.qr_png(CODE)
    image = Image.open(io.BytesIO(png))
    assert image.info["dpi"][0] > 300  # prints with a 2 cm symbol unless scaled
    modules = qr_codes.build(status_link.url(BASE, CODE, KEY)).modules_count
    side_px = round(2 / 2.54 * 150)  # a 2 cm symbol seen at 150 dpi
    small = image.resize((side_px * (modules + 8) // modules,) * 2, Image.Resampling.BILINEAR)
    assert decode(small) == [status_link.url(BASE, CODE, KEY)]


def test_the_svg_is_one_path_sized_in_millimetres(receipts):
    root = ET.fromstring(receipts.qr_svg(CODE))
    assert root.get("width").endswith("mm") and float(root.get("width")[:-2]) == pytest.approx(24.3, abs=0.1)
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1


def test_a_realistic_link_stays_small_and_a_long_base_url_is_refused():
    for base in (BASE, "https://dichvucong.quangtri.gov.vn", "http://127.0.0.1:8000"):
        assert qr_codes.build(status_link.url(base, CODE, KEY)).version <= 5
    with pytest.raises(qr_codes.LinkTooLong):
        qr_codes.build(status_link.url("https://" + "a" * 80 + ".gov.vn", CODE, KEY))
