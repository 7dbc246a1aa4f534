"""Photos of a receipt (Phiếu tiếp nhận hồ sơ và hẹn trả kết quả) as a citizen's phone would take them.

A QR code of the dossier's status link (the `qrcode` package, as receipts print it) on a white A5-ish
page with Vietnamese text, then photographed badly on purpose: rotated, scaled, blurred, noisy, JPEG
compressed, on a darker table. Deterministic (seeded noise), so a failure reproduces. Used by the unit
tests, the e2e test and bench/photo_decode.py.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
RECEIPT_SIZE = (1240, 1754)  # A5 at 150 dpi-ish, portrait
_LINES = (
    "UBND TỈNH QUẢNG TRỊ",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    "",
    "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "Mã hồ sơ: {code}",
    "Bộ phận Một cửa tiếp nhận hồ sơ của: Nguyễn Thị Hương",
    "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
    "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 25/11/2024",
    "Thời gian trả kết quả: 16 giờ 00 phút, ngày 10/12/2024",
    "Vào Sổ theo dõi hồ sơ, Quyển số: 03, Số thứ tự: 0003",
    "Quét mã QR để tra cứu tình trạng hồ sơ.",
)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """A font with Vietnamese glyphs when the machine has one; the text is decoration either way."""
    for path in _FONTS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def receipt(link: str, code: str, qr_pixels: int = 330) -> Image.Image:
    """The printed receipt, flat and upright: QR in the top left corner (as Mẫu số 01 places it)."""
    page = Image.new("RGB", RECEIPT_SIZE, "white")
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(link)
    qr.make(fit=True)
    symbol = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    page.paste(symbol.resize((qr_pixels, qr_pixels), Image.Resampling.NEAREST), (60, 60))
    draw = ImageDraw.Draw(page)
    font, y = _font(30), 60 + qr_pixels + 40
    for line in _LINES:
        draw.text((70, y), line.format(code=code), font=font, fill=(20, 20, 20))
        y += 52
    draw.rectangle((30, 30, RECEIPT_SIZE[0] - 30, RECEIPT_SIZE[1] - 30), outline=(60, 60, 60), width=3)
    return page


@dataclass(frozen=True)
class Shot:
    """How the phone took the picture."""

    rotate: float = 0.0  # degrees, counter-clockwise
    scale: float = 1.0  # of the receipt's pixels
    blur: float = 0.0  # Gaussian radius, in the photo's pixels
    noise: int = 0  # ± grey levels of sensor noise
    quality: int = 85  # JPEG
    dim: float = 1.0  # < 1: a dim room
    seed: int = 7


def photograph(page: Image.Image, shot: Shot) -> bytes:
    """The JPEG a phone would upload of `page` under `shot`'s conditions."""
    picture = page.rotate(shot.rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(96, 80, 64))
    if shot.scale != 1.0:
        size = (max(1, round(picture.width * shot.scale)), max(1, round(picture.height * shot.scale)))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    if shot.blur:
        picture = picture.filter(ImageFilter.GaussianBlur(shot.blur))
    if shot.dim != 1.0:
        picture = picture.point(lambda v: int(v * shot.dim))
    if shot.noise:
        picture = _noisy(picture, shot.noise, shot.seed)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=shot.quality)
    return out.getvalue()


def _noisy(picture: Image.Image, amount: int, seed: int) -> Image.Image:
    """Seeded sensor noise of ±`amount` grey levels (on half-resolution grains, as phone noise looks)."""
    small = (max(1, picture.width // 2), max(1, picture.height // 2))
    layer = Image.frombytes("L", small, random.Random(seed).randbytes(small[0] * small[1]))
    layer = layer.point(lambda v: 128 + (v - 128) * amount // 128)
    layer = layer.resize(picture.size, Image.Resampling.NEAREST).convert(picture.mode)
    return ImageChops.add(picture, layer, scale=1.0, offset=-128)


def blank_photo(size: tuple[int, int] = (1200, 1600)) -> bytes:
    """A photo of a white wall: nothing to read."""
    out = io.BytesIO()
    Image.new("RGB", size, (235, 235, 230)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def garbage_photo(seed: int = 3, size: tuple[int, int] = (800, 600)) -> bytes:
    """Random pixels as a valid JPEG: busy, with no code in it."""
    rng = random.Random(seed)
    picture = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=80)
    return out.getvalue()
