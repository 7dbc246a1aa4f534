"""What the Lambda deployment zip weighs, and which packages weigh most (`chalice package`).

Lambda allows 50 MB zipped (direct upload) and 250 MB unzipped. Prints the zip's size, the unzipped
size and the heaviest top-level entries, with each one's share of the unzipped total.

    python -m bench.package_size [--top N]
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def package(out: Path) -> Path:
    chalice = Path(sys.executable).parent / "chalice"
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-1")}
    subprocess.run([str(chalice), "package", "--stage", "dev", str(out)], cwd=ROOT, check=True, env=env)
    return out / "deployment.zip"


_SAME_PACKAGE = {"pil": "pillow", "zxing_cpp": "zxingcpp", "python_dateutil": "dateutil"}


def _top_level(name: str) -> str:
    """`PIL/Image.py` → `pillow`: dist-info and .libs folders count with their package."""
    top = name.split("/", 1)[0].removesuffix(".libs")
    top = (top.split("-", 1)[0] if top.endswith(".dist-info") else top).lower()
    return _SAME_PACKAGE.get(top, top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        zipped = package(Path(tmp))
        size = zipped.stat().st_size
        with zipfile.ZipFile(zipped) as archive:
            infos = archive.infolist()
    weights: collections.Counter[str] = collections.Counter()
    for info in infos:
        weights[_top_level(info.filename)] += info.file_size
    total = sum(weights.values())
    print(f"deployment.zip: {size / MB:.1f} MB zipped (limit 50), {total / MB:.1f} MB unzipped (limit 250)")
    for name, weight in weights.most_common(args.top):
        print(f"  {name:<24} {weight / MB:7.1f} MB  {weight / total:6.1%}")


if __name__ == "__main__":
    main()
