"""The MCĐT kit's validation: each class of bad input gets its own precise, bilingual problem."""

from __future__ import annotations

import unicodedata

import pytest

from mcdt.contract import InvalidDossier, unknown_attributes, validate


def record(**changes):
    base = {
        "MaHoSo": "000.00.12.H46-240115-0003",
        "TrangThaiHoSo": "2",
        "TenTTHC": "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        "DonViXuLy": "UBND xã Quảng Phú",
        "ChuHoSo": "Nguyễn Thị Hương",
        "SoDienThoai": "0912 345 678",
        "NhanThongBaoZalo": "1",
        "NgayTiepNhan": "20240115083000",
        "NgayHenTra": "20240125160000",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def problems(**changes) -> dict[str, str]:
    with pytest.raises(InvalidDossier) as caught:
        validate(record(**changes))
    return {p.field: p.code for p in caught.value.problems}


def test_a_good_record_comes_out_canonical():
    decomposed = "Nguye\u0302\u0303n"  # what some keyboards and old systems send
    item = validate(record(MaHoSo=" 000.00.12.h46-240115-0003 ", TrangThaiHoSo=4, ChuHoSo=decomposed))
    assert item["MaHoSo"] == "000.00.12.H46-240115-0003"
    assert item["TrangThaiHoSo"] == 4
    assert item["SoDienThoai"] == "+84912345678"  # consented: where notices go, stored as E.164
    assert item["NhanThongBaoZalo"] is True
    assert item["ChuHoSo"] == unicodedata.normalize("NFC", "Nguyễn")


def test_without_consent_the_phone_is_only_a_contact_and_kept_as_typed():
    item = validate(record(NhanThongBaoZalo=None, SoDienThoai="0232 3822 123"))  # a Quảng Bình landline
    assert item["NhanThongBaoZalo"] is False  # silence is not consent
    assert item["SoDienThoai"] == "0232 3822 123"


@pytest.mark.parametrize("code", ["000.00.12.H46-241315-0003", "1.011442.000.00.00.H38", "HS-123", "0003"])
def test_bad_code_format(code):
    assert problems(MaHoSo=code) == {"MaHoSo": "bad_code"}


@pytest.mark.parametrize("status", ["11", "0", "abc", "4.5", True, 4.5])
def test_unknown_status_code(status):
    assert problems(TrangThaiHoSo=status) == {"TrangThaiHoSo": "unknown_status"}


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("0232 3822 123", "phone_not_mobile"),
        ("0912 345", "phone_invalid"),
        ("+1 415 555 0100", "phone_not_vietnamese"),
        ("không có", "phone_not_a_number"),
    ],
)
def test_invalid_phone_when_the_citizen_wants_zalo_notices(phone, reason):
    assert problems(SoDienThoai=phone) == {"SoDienThoai": reason}


@pytest.mark.parametrize("date", ["2024-01-15 08:30:00", "15/01/2024", "202401150830", "20240230083000"])
def test_dates_not_in_the_portal_format(date):
    assert problems(NgayTiepNhan=date) == {"NgayTiepNhan": "bad_date"}


def test_missing_required_fields_are_all_listed():
    found = problems(TenTTHC=None, DonViXuLy="  ", SoDienThoai=None, NgayHenTra=None)
    assert found == {k: "missing" for k in ("TenTTHC", "DonViXuLy", "SoDienThoai", "NgayHenTra")}


def test_dates_are_not_required_before_the_desk_received_the_dossier():
    item = validate(record(TrangThaiHoSo="1", NgayTiepNhan=None, NgayHenTra=None))
    assert "NgayTiepNhan" not in item


def test_appointment_before_receipt_is_refused():
    assert problems(NgayHenTra="20240110160000") == {"NgayHenTra": "before_received"}


def test_messages_say_what_is_wrong_in_both_languages():
    with pytest.raises(InvalidDossier) as caught:
        validate(record(NgayTiepNhan="15/01/2024", TrangThaiHoSo="12"))
    text = str(caught.value)
    assert "yyyyMMddHHmmss" in text and "'15/01/2024'" in text
    assert "không đúng định dạng" in text and "is not yyyyMMddHHmmss" in text
    assert "mã trạng thái '12' không có" in text and "unknown status code '12'" in text


def test_booleans_and_documents_from_a_csv_cell():
    item = validate(
        record(
            NhanThongBaoZalo="có",
            ThanhPhanHoSo='[{"TenGiayTo": "Đơn đề nghị", "HinhThuc": "Bản chính", "SoLuong": "2"}]',
        )
    )
    assert item["NhanThongBaoZalo"] is True
    assert item["ThanhPhanHoSo"] == [{"TenGiayTo": "Đơn đề nghị", "HinhThuc": "Bản chính", "SoLuong": 2}]
    assert problems(NhanThongBaoZalo="maybe") == {"NhanThongBaoZalo": "not_boolean"}
    assert problems(ThanhPhanHoSo="Đơn đề nghị") == {"ThanhPhanHoSo": "bad_documents"}


def test_unknown_columns_are_named():
    assert unknown_attributes(["MaHoSo", "SoDienThoaii", "TenTTHC", "Foo"]) == ["SoDienThoaii", "Foo"]


def test_what_the_kit_writes_the_notifier_reads():
    """Receipt fields, PhienBan and a list attribute must not trip the stream handler's reader."""
    from boto3.dynamodb.types import TypeSerializer

    from functions.dossier_records import from_stream_image

    documents = [{"TenGiayTo": "Đơn đề nghị", "HinhThuc": "Bản chính", "SoLuong": 1}]
    item = validate(record(PhienBan="1705282200000", ThanhPhanHoSo=documents, SoNgayGiaiQuyet="15"))
    image = {name: TypeSerializer().serialize(value) for name, value in item.items()}

    dossier = from_stream_image(image)

    assert (dossier.code, dossier.status, dossier.phone) == (item["MaHoSo"], 2, "+84912345678")
    assert dossier.notify_zalo and dossier.due_at is not None
