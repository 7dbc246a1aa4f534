"""Demo data for the local stack: dossiers as an MCĐT system would write them, and the citizens
(in the Zalo simulator) whose phones they carry. Codes and names are made up but realistic:
pre-merger Quảng Bình agency codes (H46), one post-merger code (H50), statuses 2–10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.dossier import VIETNAM_TZ, Dossier


@dataclass(frozen=True)
class DemoCitizen:
    display_name: str
    phone: str  # as the desk officer typed it


CITIZENS = (
    DemoCitizen("Nguyễn Thị Hương", "0912 345 678"),
    DemoCitizen("Trần Văn Bình", "0983.112.233"),
    DemoCitizen("Lê Minh Tuấn", "+84 868 224 466"),
)
NO_ZALO_PHONE = "0977 000 111"  # a real-looking mobile number with no Zalo account


def demo_dossiers(today: datetime | None = None) -> list[Dossier]:
    now = (today or datetime.now(VIETNAM_TZ)).astimezone(VIETNAM_TZ).replace(microsecond=0)

    def day(offset: int, hour: int = 8) -> datetime:
        return (now + timedelta(days=offset)).replace(hour=hour, minute=0, second=0)

    return [
        Dossier(
            "000.00.12.H46-240115-0003",
            4,
            "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
            "1.009994",
            "UBND xã Quảng Phú",
            "Nguyễn Thị Hương",
            CITIZENS[0].phone,
            True,
            day(-10),
            day(5, 16),
        ),
        Dossier(
            "000.00.12.H46-240115-0004",
            5,
            "Đăng ký thành lập hộ kinh doanh",
            "2.000720",
            "Phòng Tài chính - Kế hoạch",
            "Trần Văn Bình",
            CITIZENS[1].phone,
            True,
            day(-6),
            day(2, 16),
            note="Bổ sung bản sao CCCD của chủ hộ kinh doanh.",
        ),
        Dossier(
            "000.00.12.H46-240116-0001",
            9,
            "Cấp bản sao trích lục hộ tịch",
            "2.000635",
            "UBND phường Đồng Hới",
            "Lê Minh Tuấn",
            CITIZENS[2].phone,
            True,
            day(-3),
            day(-1, 16),
        ),
        Dossier(
            "000.00.12.H46-240116-0002",
            2,
            "Chứng thực bản sao từ bản chính",
            "2.000815",
            "UBND xã Bảo Ninh",
            "Phạm Thị Lan",
            "0905 678 901",
            False,
            day(0),
            day(1, 16),
        ),
        Dossier(
            "000.00.12.H46-240117-0005",
            6,
            "Đăng ký biến động quyền sử dụng đất",
            "1.004227",
            "Chi nhánh Văn phòng đăng ký đất đai",
            "Hoàng Văn Nam",
            NO_ZALO_PHONE,
            True,
            day(-15),
            day(-2, 16),
            note="Nộp lệ phí trước bạ theo thông báo của cơ quan thuế.",
        ),
        Dossier(
            "000.00.12.H50-250805-0001",
            10,
            "Cấp Giấy chứng nhận đăng ký hộ kinh doanh",
            "2.000720",
            "Trung tâm phục vụ hành chính công tỉnh",
            "Võ Thị Mai",
            "0935 246 810",
            False,
            day(-20),
            day(-12, 16),
            returned_at=day(-13, 10),
        ),
        Dossier(
            "000.00.12.H46-240118-0007",
            8,
            "Cấp giấy phép lái xe",
            "1.002809",
            "Sở Xây dựng",
            "Đặng Quốc Huy",
            "0356 789 012",
            False,
            day(-30),
            day(-20, 16),
            note="Công dân đề nghị dừng xử lý.",
        ),
        Dossier(
            "000.00.12.H46-240118-0008",
            3,
            "Cấp phiếu lý lịch tư pháp",
            "2.000488",
            "Sở Tư pháp",
            "Bùi Thị Thu",
            "0702 345 678",
            False,
            day(-2),
            None,
            note="Hồ sơ không thuộc thẩm quyền giải quyết.",
        ),
        Dossier(
            "000.00.12.H46-240119-0002",
            7,
            "Đăng ký kết hôn",
            "1.000894",
            "UBND xã Quảng Phú",
            "Ngô Văn Thành",
            "0396 112 233",
            False,
            day(-4),
            day(3, 16),
        ),
    ]
