"""The bulk-import benchmark still runs (a tiny run: it starts its own moto server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bulk_import_bench_smoke():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "bench.bulk_import", "--rows", "30"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "rerun, same file" in result.stdout
    assert "0 mới/created, 0 cập nhật/updated" in result.stdout  # the rerun wrote nothing
