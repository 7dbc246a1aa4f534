"""Dossier codes in a photo: the receipt's QR code, read with zxing-cpp (a maintained C++ decoder).

A citizen photographs the receipt's QR (the status-page link, status_link.py) and sends it in the
chat. Phone photos come rotated (EXIF or tilted), large, noisy, blurred and JPEG-compressed; zxing-cpp
copes with all of that on its own (it searches every orientation and downscaled copies). What a QR
holds is then read like typed text (`dossier_code.find_codes`), so a QR of the link, of the bare code
or of another portal's URL containing the code all work. Anything that is not a readable picture gives
no codes, never an exception: the worker then asks for a clearer photo or the typed code.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from functions.dossier_code import find_codes
from functions.logs import get_logger, log
from functions.ports import ImageFetcher, ImageUnavailable

logger = get_logger("photo_codes")

MAX_PIXELS = 50_000_000  # a 48 MP phone camera; more is a decompression bomb, not a receipt
MAX_PHOTOS_PER_MESSAGE = 3
PHOTO_BUDGET_SECONDS = 12.0  # per message; one download alone may take 10 s (image_fetch.py)
# What phones and Zalo upload; every other format Pillow knows stays closed to strangers' files.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
# A JPEG longer than this is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, nearly free):
# 4× faster on a 12 MP photo, and a receipt's QR still has ≥ 3 px per module (bench/photo_decode.py).
DECODE_SIDE = 1600
_QR_FORMATS = [zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode]


def qr_texts(data: bytes) -> list[str]:
    """The text of every QR code zxing-cpp finds in the picture; [] for anything unreadable."""
    picture = _grey_picture(data)
    if picture is None:
        return []
    return [found.text for found in zxingcpp.read_barcodes(picture, formats=_QR_FORMATS) if found.text]


def codes_in_photo(data: bytes, limit: int) -> list[str]:
    """Canonical dossier codes held by the photo's QR codes, first found first, at most `limit`."""
    return _codes_in(qr_texts(data), [], limit)


def _codes_in(texts: list[str], codes: list[str], limit: int) -> list[str]:
    """`codes` followed by the new codes found in `texts`, without duplicates, at most `limit`."""
    for text in texts:
        codes = codes + [code for code in find_codes(text, limit) if code not in codes]
    return codes[:limit]


def _grey_picture(data: bytes) -> Image.Image | None:
    """Decoded, upright (EXIF orientation applied) and in 8-bit grey, which is what the decoder reads."""
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as opened:
            if opened.width * opened.height > MAX_PIXELS:  # checked before any pixel is decoded
                return None
            longest = max(opened.size)
            if longest > DECODE_SIDE:  # only JPEG can draft; other formats ignore it
                ratio = DECODE_SIDE / longest
                opened.draft("L", (math.ceil(opened.width * ratio), math.ceil(opened.height * ratio)))
            return ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError):
        return None
    except (ValueError, SyntaxError, struct.error):  # how some truncated or malformed files surface
        return None


@dataclass(frozen=True)
class PhotoCodes:
    """What the photos in one message held: the codes, and whether any QR at all was read."""

    codes: list[str]
    read_any_qr: bool


class PhotoReader:
    """Fetches the pictures of a `user_send_image` event (through an `ImageFetcher`) and reads them.

    One message gets `budget_seconds` in all: no further photo is started once they are spent, so a
    message with several slow photos cannot eat the worker's whole batch time (Lambda's timeout would
    then retry the batch, answers already sent included).
    """

    def __init__(
        self,
        fetch: ImageFetcher,
        budget_seconds: float = PHOTO_BUDGET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetch = fetch
        self.budget_seconds = budget_seconds
        self.clock = clock

    def read(self, message: dict[str, Any], limit: int) -> PhotoCodes:
        codes: list[str] = []
        read_any_qr = False
        deadline = self.clock() + self.budget_seconds
        for url in attachment_urls(message, "image")[:MAX_PHOTOS_PER_MESSAGE]:
            if self.clock() > deadline:
                log(logger, logging.WARNING, "photo skipped", reason="message_budget_spent")
                break
            try:
                data = self.fetch(url)
            except ImageUnavailable as exc:
                log(logger, logging.WARNING, "photo not fetched", reason=exc.reason)
                continue
            texts = qr_texts(data)
            read_any_qr = read_any_qr or bool(texts)
            codes = _codes_in(texts, codes, limit)
            log(logger, logging.INFO, "photo read", bytes=len(data), qr_codes=len(texts))
        return PhotoCodes(codes, read_any_qr)


def attachment_urls(message: dict[str, Any], kind: str = "image") -> list[str]:
    """`message.attachments[].payload.url` of the attachments of type `kind` (zalo-api.md §1.5)."""
    attachments = message.get("attachments")
    if not isinstance(attachments, list):
        return []
    urls = []
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("type") != kind:
            continue
        payload = attachment.get("payload")
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url.strip():
            urls.append(url.strip())
    return urls
