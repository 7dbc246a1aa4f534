"""The one-stop desk through the local stack: MCĐT writes with the kit (notices go out once, a rerun
sends none), and the officials' API serves the receipt PDF and QR codes behind its authorizer."""

from __future__ import annotations

import io
import os

import pypdfium2
import pytest
import requests
import zxingcpp
from PIL import Image

from functions import status_link
from local.stack import DEV_ADMIN_TOKEN
from mcdt.table import DossierTable, Outcome
from tests.factories import next_code

pytestmark = pytest.mark.e2e
AUTH = {"Authorization": f"Bearer {DEV_ADMIN_TOKEN}"}


@pytest.fixture
def written(stack) -> str:
    """A dossier written by the kit, as an MCĐT system would, into the stack's table."""
    import boto3

    table = DossierTable(boto3.client("dynamodb"), f"dvc-zalo-{os.environ['STAGE']}-dossiers")
    code = next_code(received="240115")
    record = {
        "MaHoSo": code,
        "TrangThaiHoSo": 2,
        "TenTTHC": "Đăng ký thành lập hộ kinh doanh",
        "DonViXuLy": "Phòng Tài chính - Kế hoạch",
        "ChuHoSo": "Trần Văn Bình",
        "SoDienThoai": "0983.112.233",
        "NhanThongBaoZalo": False,
        "NgayTiepNhan": "20240115083000",
        "NgayHenTra": "20240125160000",
    }
    assert table.upsert(record) is Outcome.CREATED
    return code


def _link(code: str) -> str:
    return status_link.url(os.environ["PUBLIC_BASE_URL"], code, os.environ["STATUS_LINK_KEY"])


def test_receipt_pdf_from_the_officials_api(api, written):
    answer = requests.get(
        f"{api}/admin/dossiers/{written}/receipt.pdf",
        headers={**AUTH, "Accept": "application/pdf"},
        timeout=30,
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/pdf"
    page = pypdfium2.PdfDocument(answer.content)[0].render(scale=150 / 72).to_pil()
    assert [r.text for r in zxingcpp.read_barcodes(page)] == [_link(written)]


def test_qr_png_and_svg(api, written):
    png = requests.get(
        f"{api}/admin/dossiers/{written}/qr.png", headers={**AUTH, "Accept": "image/png"}, timeout=30
    )
    svg = requests.get(f"{api}/admin/dossiers/{written}/qr.svg", headers=AUTH, timeout=30)

    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [_link(written)]
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<?xml") and "<path" in svg.text


def test_receipts_need_an_official_and_a_real_dossier(api, written):
    anonymous = requests.get(f"{api}/admin/dossiers/{written}/receipt.pdf", timeout=30)
    unknown = requests.get(f"{api}/admin/dossiers/000.00.12.H46-240101-9999/qr.svg", headers=AUTH, timeout=30)
    malformed = requests.get(f"{api}/admin/dossiers/HS-2024-1/qr.svg", headers=AUTH, timeout=30)

    assert anonymous.status_code == 401
    assert unknown.status_code == 404 and "Không tìm thấy hồ sơ" in unknown.json()["message"]
    assert malformed.status_code == 400 and malformed.json()["error"] == "invalid_code"


def test_bulk_import_notifies_each_citizen_once_and_a_rerun_notifies_nobody(sim, stack, tmp_path):
    """The kit's import through the real stream → notifier → Zalo simulator path."""
    import csv

    import boto3

    from mcdt.bulk import import_file
    from tests.factories import next_phone, zalo_phone

    table = DossierTable(boto3.client("dynamodb"), f"dvc-zalo-{os.environ['STAGE']}-dossiers")
    phones = [next_phone() for _ in range(3)]
    rows = [
        {"MaHoSo": next_code(received="240115"), "TrangThaiHoSo": "2", "TenTTHC": "Đăng ký khai sinh",
         "DonViXuLy": "UBND phường Đồng Hới", "SoDienThoai": phone, "NhanThongBaoZalo": "1",
         "NgayTiepNhan": "20240115083000", "NgayHenTra": "20240118160000"}
        for phone in phones
    ]  # fmt: skip

    def export(name: str, version: int) -> None:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        import_file(table, path, version=version, progress=False)

    def notices(phone: str) -> list[dict]:
        return sim.phone_inbox(zalo_phone(phone))

    export("lan-1.csv", 1000)
    assert stack.runner.settle()
    assert [len(notices(p)) for p in phones] == [1, 1, 1]  # "đã tiếp nhận"

    export("lan-1.csv", 1000)  # the same file again
    assert stack.runner.settle()
    assert [len(notices(p)) for p in phones] == [1, 1, 1]

    rows[0]["TrangThaiHoSo"] = "9"
    export("lan-2.csv", 2000)  # a later export: one dossier has its result
    assert stack.runner.settle()
    assert [len(notices(p)) for p in phones] == [2, 1, 1]
