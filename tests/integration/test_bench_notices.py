"""A tiny run of bench/notices.py, so the benchmark keeps working (its numbers are for the README)."""

from __future__ import annotations

from bench import notices


def test_the_notices_benchmark_runs_and_reports(moto_tables, capsys):
    notices.run(records=6, latency_ms=0, workers=3)
    out = capsys.readouterr().out
    assert "notices/s" in out and "speed-up" in out
    assert "2.00 writes" in out and "1.00 reads" in out
