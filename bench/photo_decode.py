"""How long reading a receipt's QR from a citizen's photo takes (photo_codes.codes_in_photo).

Generated receipt photos (tests/receipt_photos.py) at the sizes phones upload, each taken a few ways
(upright, tilted 7°, sideways, noisy and compressed). Times the whole path the worker runs per photo —
JPEG decode, EXIF orientation, grey conversion, zxing-cpp — and prints p50/p95 per size, the share of
photos read, and the cost of a photo with no QR (the worst case: the decoder searches everything).

    python -m bench.photo_decode [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

from functions import photo_codes, status_link
from functions.photo_codes import codes_in_photo
from tests.receipt_photos import Shot, blank_photo, garbage_photo, photograph, receipt

CODE = "000.00.12.H46-241125-0003"
# Long side of the uploaded photo, in pixels: Zalo's "HD off" upload, HD on, a full 12 MP camera photo.
SIZES = {"1280 px (~1 MP)": 1280 / 1754, "2560 px (~4 MP)": 2560 / 1754, "4000 px (~12 MP)": 4000 / 1754}
ANGLES = (
    Shot(),
    Shot(rotate=7, noise=15),
    Shot(rotate=90),
    Shot(rotate=-12, blur=1.0, noise=25, quality=50),
)


def _timed(data: bytes, repeat: int) -> tuple[list[float], bool]:
    times, found = [], False
    for _ in range(repeat):
        start = time.perf_counter()
        found = codes_in_photo(data, limit=4) == [CODE]
        times.append((time.perf_counter() - start) * 1000)
    return times, found


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="decodes per photo")
    args = parser.parse_args()
    page = receipt(status_link.url("https://dichvucong.quangtri.gov.vn", CODE, "bench-key"), CODE)
    photos = {
        label: [photograph(page, replace(a, scale=scale)) for a in ANGLES] for label, scale in SIZES.items()
    }
    reduced = photo_codes.DECODE_SIDE
    for decode_side in (reduced, 10**9):
        photo_codes.DECODE_SIDE = decode_side
        title = (
            f"large JPEGs read at reduced scale (long side ≥ {reduced} px)"
            if decode_side == reduced
            else ("every photo read at full scale (for comparison)")
        )
        print(f"\n{title}")
        _table(photos, args.repeat)
    photo_codes.DECODE_SIDE = reduced


def _table(photos: dict[str, list[bytes]], repeat: int) -> None:
    print(f"{'photo':<18} {'KB':>6} {'read':>6} {'p50 ms':>8} {'p95 ms':>8}")
    baseline = None
    for label, shots in photos.items():
        times, read, total, kilobytes = [], 0, 0, []
        for data in shots:
            kilobytes.append(len(data) / 1024)
            photo_times, found = _timed(data, repeat)
            times += photo_times
            read += found
            total += 1
        p50 = statistics.median(times)
        baseline = baseline or p50
        print(
            f"{label:<18} {statistics.mean(kilobytes):6.0f} {read:>3}/{total:<2} {p50:8.1f} "
            f"{_percentile(times, 0.95):8.1f}   ×{p50 / baseline:.1f} of the smallest"
        )
    no_qr = {"blank 12 MP": blank_photo((3000, 4000)), "noise 1 MP": garbage_photo(size=(960, 1280))}
    for label, data in no_qr.items():
        times, _ = _timed(data, repeat)
        p50, worst = statistics.median(times), max(times)
        print(f"{label:<18} {len(data) / 1024:6.0f} {'-':>6} {p50:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
