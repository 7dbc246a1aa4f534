"""How much the command parser adds to each chat message, and to a cold start.

    python -m bench.chat_commands [messages]

Every text message goes through `commands.parse` before the dossier-code lookup, so its cost is
paid on each one. Printed: µs per message for a realistic mix (commands with and without
diacritics and typos, codes, greetings, long questions), the same for `find_codes` alone (what the
lookup path already paid) and their ratio; then the cold-import cost of the parser (rapidfuzz
included), median of fresh interpreters, against importing the code finder alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from functions.commands import parse
from functions.dossier_code import find_codes

MIX = [
    "hồ sơ của tôi",
    "ho so cua toi",
    "DỪNG",
    "dung",
    "huy thng bao",
    "bắt đầu",
    "START",
    "xoá số điện thoại",
    "?",
    "xin chào",
    "cảm ơn ạ",
    "đúng",
    "dừng 000.00.12.H46-240115-0003",
    "Cho tôi hỏi hồ sơ 000.00.12.H46-240115-0003 với",
    "000.00.12.h46-240115-0003",
    "https://dvc.example.gov.vn/tra-cuu/000.00.12.H50-250805-0001?k=abc",
    "Hồ sơ của tôi nộp từ tuần trước mà sao chưa thấy gì vậy, cho tôi hỏi với ạ",
    "tôi muốn dừng xử lý hồ sơ",
]


def per_message_us(function, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for text in MIX:
            function(text)
    return (time.perf_counter() - started) / (rounds * len(MIX)) * 1e6


def import_ms(module: str, runs: int = 7) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times) * 1000


def main() -> None:
    rounds = max(1, int(sys.argv[1]) // len(MIX)) if len(sys.argv) > 1 else 300
    parse_us, find_us = per_message_us(parse, rounds), per_message_us(find_codes, rounds)
    print(f"messages: {rounds * len(MIX)} ({len(MIX)} kinds)")
    print(f"commands.parse:  {parse_us:8.1f} µs/message")
    print(f"find_codes only: {find_us:8.1f} µs/message   parse/find ratio {parse_us / find_us:.1f}x")
    parser_ms, finder_ms = import_ms("functions.commands"), import_ms("functions.dossier_code")
    print(f"cold import functions.commands: {parser_ms:6.1f} ms (dossier_code alone {finder_ms:.1f} ms)")


if __name__ == "__main__":
    main()
