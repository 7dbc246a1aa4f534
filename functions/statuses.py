"""The national portal's dossier statuses (TrangThaiHoSo 1–10, domain.md §2.1) in citizens' words.

MCĐT writes the DVCQG code; citizens do not know what "Yêu cầu thực hiện nghĩa vụ tài chính"
asks of them. Each status therefore carries three texts: the official label (what the desk and the
portal say), a short label that fits a ZBS template parameter (30 characters, zalo-api.md §3), and a
plain explanation of what it means and what to do. "Trễ hạn" (overdue) is not a status: see
`Dossier.is_overdue`.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

SHORT_LABEL_MAX = 30  # ZBS "transaction status" parameters are capped at 30 characters


class DossierStatus(IntEnum):
    MOI_DANG_KY = 1
    DUOC_TIEP_NHAN = 2
    KHONG_DUOC_TIEP_NHAN = 3
    DANG_XU_LY = 4
    YEU_CAU_BO_SUNG = 5
    YEU_CAU_NGHIA_VU_TAI_CHINH = 6
    CONG_DAN_RUT_HO_SO = 7
    DUNG_XU_LY = 8
    DA_XU_LY_XONG = 9
    DA_TRA_KET_QUA = 10

    @property
    def label(self) -> str:
        """The DVCQG wording, e.g. 'Yêu cầu bổ sung giấy tờ'."""
        return _TEXTS[self][0]

    @property
    def short_label(self) -> str:
        """At most 30 characters, for the ZBS `trang_thai` parameter."""
        return _TEXTS[self][1]

    @property
    def explain(self) -> str:
        """What it means for the citizen, and what (if anything) they should do now."""
        return _TEXTS[self][2]

    @property
    def has_result(self) -> bool:
        """Processing is complete and there is a result (9 ready to collect, 10 handed over)."""
        return self in _WITH_RESULT

    @property
    def is_closed_without_result(self) -> bool:
        """The dossier ended with no result: refused at intake (3), withdrawn (7) or stopped (8)."""
        return self in _CLOSED_WITHOUT_RESULT

    @property
    def is_finished(self) -> bool:
        """Nothing more will happen to it: no overdue warnings, no reminders."""
        return self.has_result or self.is_closed_without_result

    @property
    def needs_citizen_action(self) -> bool:
        """The agency waits for the citizen: documents to supplement (5) or fees/taxes to pay (6)."""
        return self in _NEEDS_CITIZEN


_WITH_RESULT = frozenset({DossierStatus.DA_XU_LY_XONG, DossierStatus.DA_TRA_KET_QUA})
_CLOSED_WITHOUT_RESULT = frozenset(
    {DossierStatus.KHONG_DUOC_TIEP_NHAN, DossierStatus.CONG_DAN_RUT_HO_SO, DossierStatus.DUNG_XU_LY}
)
_NEEDS_CITIZEN = frozenset({DossierStatus.YEU_CAU_BO_SUNG, DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH})

# (official label, short label ≤ 30, plain explanation)
_TEXTS: dict[DossierStatus, tuple[str, str, str]] = {
    DossierStatus.MOI_DANG_KY: (
        "Mới đăng ký",
        "Mới đăng ký, chờ tiếp nhận",
        "Hồ sơ đã được nộp và đang chờ cán bộ một cửa kiểm tra, tiếp nhận.",
    ),
    DossierStatus.DUOC_TIEP_NHAN: (
        "Được tiếp nhận",
        "Đã tiếp nhận hồ sơ",
        "Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan có thẩm quyền giải quyết.",
    ),
    DossierStatus.KHONG_DUOC_TIEP_NHAN: (
        "Không được tiếp nhận",
        "Không được tiếp nhận",
        "Hồ sơ không được tiếp nhận. Ông/Bà vui lòng liên hệ nơi nộp hồ sơ để biết lý do và được hướng dẫn.",
    ),
    DossierStatus.DANG_XU_LY: (
        "Đang xử lý",
        "Đang xử lý",
        "Hồ sơ đang được cơ quan có thẩm quyền giải quyết. Ông/Bà chưa cần làm gì thêm.",
    ),
    DossierStatus.YEU_CAU_BO_SUNG: (
        "Yêu cầu bổ sung giấy tờ",
        "Cần bổ sung giấy tờ",
        "Hồ sơ cần bổ sung giấy tờ. Ông/Bà vui lòng bổ sung theo hướng dẫn để hồ sơ được "
        "tiếp tục giải quyết.",
    ),
    DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH: (
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        "Cần nộp phí, lệ phí, thuế",
        "Hồ sơ đang chờ Ông/Bà nộp phí, lệ phí hoặc thuế. Sau khi nộp, hồ sơ sẽ được tiếp tục giải quyết.",
    ),
    DossierStatus.CONG_DAN_RUT_HO_SO: (
        "Công dân yêu cầu rút hồ sơ",
        "Đã rút hồ sơ theo yêu cầu",
        "Hồ sơ đã được rút theo yêu cầu của Ông/Bà và không còn được giải quyết.",
    ),
    DossierStatus.DUNG_XU_LY: (
        "Dừng xử lý",
        "Dừng xử lý",
        "Hồ sơ đã dừng xử lý. Ông/Bà vui lòng liên hệ nơi nộp hồ sơ để biết lý do.",
    ),
    DossierStatus.DA_XU_LY_XONG: (
        "Đã xử lý xong",
        "Đã có kết quả, chờ nhận",
        "Hồ sơ đã được giải quyết xong và đã có kết quả. Mời Ông/Bà đến nhận kết quả.",
    ),
    DossierStatus.DA_TRA_KET_QUA: (
        "Đã trả kết quả",
        "Đã trả kết quả",
        "Kết quả đã được trả cho Ông/Bà. Hồ sơ đã hoàn thành.",
    ),
}


def from_code(value: object) -> DossierStatus | None:
    """TrangThaiHoSo as MCĐT stored it (int, DynamoDB Decimal, "5") → status; None when unknown.

    Unknown codes (OpenCPS's 11, a vendor's own numbers) are not errors: the lookup still answers.
    """
    number = _whole_number(value)
    if number is None or number not in _BY_VALUE:
        return None
    return _BY_VALUE[number]


_BY_VALUE: dict[int, DossierStatus] = {status.value: status for status in DossierStatus}


def _whole_number(value: object) -> int | None:
    """An int from int/Decimal/float/str when it is exactly a whole number; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    if isinstance(value, Decimal | float):
        try:
            return int(value) if value == int(value) else None
        except (ValueError, ArithmeticError):  # NaN, infinity
            return None
    return None
