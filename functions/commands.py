"""What a citizen's chat message asks for, when it is a command rather than a dossier lookup.

Citizens type commands every way a phone keyboard allows: with or without Vietnamese diacritics
("huy thong bao"), with either tone placement ("huỷ"/"hủy"), in capitals ("STOP"), with a typo
("dừg", "hồ so cua toi"), with a polite particle ("dừng ạ"). So both the message and the phrases
are folded (NFKC, lower case, diacritics stripped, đ → d, punctuation dropped) and compared with an
edit distance that allows transpositions (rapidfuzz's optimal string alignment), allowing more
typos the longer the phrase.

Two guards keep ordinary messages from being taken for commands:
- Codes win: a message holding a dossier code is a lookup, unless all that is left once the codes
  are removed is a stop/start phrase ("dừng 000.00.12.H46-240115-0003").
- Diacritics count when they are there: folding makes "đúng" (yes) look like "dừng" (stop), so
  when the message carries diacritics it must also be close to a phrase *with* its diacritics.

Pure: text in, `Command` (or None) out. The flows that carry commands out are in citizen_links.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from rapidfuzz.distance import OSA

from functions.dossier_code import CODE_PATTERN, find_codes, normalise_input

MAX_COMMAND_CHARS = 120  # a longer message is a question for a person, not a command


class Intent(StrEnum):
    HELP = "help"
    MY_DOSSIERS = "my_dossiers"
    STOP = "stop"
    START = "start"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Command:
    intent: Intent
    codes: tuple[str, ...] = ()  # STOP/START for these dossiers only; empty = every dossier


# Phrases as citizens write them, with diacritics. Both tone placements of "uy"/"oa" are listed
# (huỷ/hủy, xoá/xóa): they are different code points even after NFC.
PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.HELP: ("hướng dẫn", "help", "trợ giúp", "giúp đỡ", "menu", "hướng dẫn sử dụng"),
    Intent.MY_DOSSIERS: (
        "hồ sơ của tôi",
        "hồ sơ của mình",
        "hồ sơ của em",
        "xem hồ sơ của tôi",
        "danh sách hồ sơ",
        "các hồ sơ của tôi",
    ),
    Intent.STOP: (
        "dừng",
        "stop",
        "huỷ thông báo",
        "hủy thông báo",
        "dừng thông báo",
        "dừng nhận thông báo",
        "tắt thông báo",
        "không nhận thông báo",
        "huỷ nhận thông báo",
        "hủy nhận thông báo",
    ),
    Intent.START: (
        "bắt đầu",
        "start",
        "bật thông báo",
        "nhận thông báo",
        "nhận lại thông báo",
        "tiếp tục nhận thông báo",
    ),
    Intent.WITHDRAW: (
        "xoá số điện thoại",
        "xóa số điện thoại",
        "xoá sđt",
        "xóa sđt",
        "xoá số",
        "xóa số",
        "huỷ liên kết",
        "hủy liên kết",
        "huỷ liên kết số điện thoại",
        "hủy liên kết số điện thoại",
        "rút lại đồng ý",
        "xoá dữ liệu của tôi",
        "xóa dữ liệu của tôi",
    ),
}

# Words that may wrap a command without changing it ("dừng ạ", "vui lòng dừng", "mã hồ sơ ...").
_POLITE = frozenset(
    {"a", "ạ", "nhé", "nhe", "nha", "nhá", "với", "voi", "giúp", "giùm", "dùm", "cho", "tôi", "toi"}
    | {"em", "mình", "minh", "xin", "vui", "lòng", "long", "làm", "ơn", "lam", "on", "please", "đi", "di"}
)
_CODE_WORDS = frozenset(("hồ", "sơ", "ho", "so", "mã", "ma", "số", "hs"))
_ONLY_QUESTION = re.compile(r"\s*[?？]+\s*")
_NOT_WORD = re.compile(r"[^\w]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")
# Intents that can be aimed at one dossier ("dừng <mã hồ sơ>").
_WITH_CODES = (Intent.STOP, Intent.START)


def parse(text: str) -> Command | None:
    """The command in `text`, or None when it is not one (a lookup, a question, a greeting)."""
    if not text or len(text) > MAX_COMMAND_CHARS:
        return None
    if _ONLY_QUESTION.fullmatch(text):
        return Command(Intent.HELP)
    codes = tuple(find_codes(text))
    if codes:
        intent = _match(_without_codes(text), _WITH_CODES, _POLITE | _CODE_WORDS)
        return Command(intent, codes) if intent else None
    intent = _match(text, tuple(Intent), _POLITE)
    return Command(intent) if intent else None


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces: 'Huỷ  THÔNG báo!' → 'huy thong bao'."""
    return _words(strip_diacritics(text))


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    return _COMBINING.sub("", decomposed).replace("đ", "d").replace("Đ", "D")


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFC", text).lower()).split())


def _without_codes(text: str) -> str:
    prepared = normalise_input(text)
    if "%" in prepared:
        prepared = unquote(prepared)
    return CODE_PATTERN.sub(" ", prepared)


def _match(text: str, intents: tuple[Intent, ...], fillers: frozenset[str]) -> Intent | None:
    """The intent whose phrase is closest to `text`, with or without filler words at either end."""
    best: tuple[int, Intent] | None = None
    for candidate in _candidates(_words(text).split(), fillers):
        folded = fold(candidate)
        has_marks = candidate != folded
        for phrase in _PHRASE_TABLE:
            if phrase.intent not in intents or abs(len(folded) - len(phrase.folded)) > phrase.allowed:
                continue
            distance = _distance(candidate, folded, phrase, has_marks)
            if distance is not None and (best is None or distance < best[0]):
                best = (distance, phrase.intent)
    return best[1] if best else None


def _candidates(words: list[str], fillers: frozenset[str]) -> set[str]:
    """The message less any run of filler words at its start and/or end ("vui lòng dừng ạ" → "dừng").

    Every split is tried, not only the fully trimmed one: a phrase may end in a filler word itself
    ("hồ sơ của tôi" keeps its "tôi").
    """
    starts = [0, *(i + 1 for i in range(len(words)) if all(w in fillers for w in words[: i + 1]))]
    ends = [len(words), *(i for i in range(len(words)) if all(w in fillers for w in words[i:]))]
    return {" ".join(words[i:j]) for i in starts for j in ends if i < j}


def _distance(accented: str, folded: str, phrase: _Phrase, has_marks: bool) -> int | None:
    """Typos between message and phrase, or None when too many for the phrase's length."""
    distance = OSA.distance(folded, phrase.folded, score_cutoff=phrase.allowed)
    if distance > phrase.allowed:
        return None
    if has_marks:
        # A message with diacritics must match them too; a one-word phrase exactly (đúng ≠ dừng, dũng ≠ dừng).
        allowed = phrase.allowed if len(phrase.words) > 1 else 0
        view = _marks_as_typed(accented, phrase)
        if OSA.distance(accented, view, score_cutoff=allowed) > allowed:
            return None
    return distance


def _marks_as_typed(accented: str, phrase: _Phrase) -> str:
    """The phrase with diacritics only on the words the citizen typed with diacritics.

    Missing marks are not a contradiction ("hồ so cua toi"); wrong ones are ("đúng" for "dừng").
    Words are paired by position when the counts agree; otherwise the phrase keeps all its marks.
    """
    typed = accented.split()
    if len(typed) != len(phrase.words):
        return " ".join(phrase.words)
    pairs = zip(typed, phrase.words, phrase.folded.split(), strict=True)
    return " ".join(wanted if t != fold(t) else plain for t, wanted, plain in pairs)


def _allowed_typos(folded_phrase: str) -> int:
    """How many typos a phrase tolerates: none in a short word ('hd' must not become 'hi'), one in a
    word like 'stop' or 'dung', two in a longer phrase."""
    length = len(folded_phrase)
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    return 2


@dataclass(frozen=True)
class _Phrase:
    intent: Intent
    words: tuple[str, ...]  # with diacritics, lower case
    folded: str
    allowed: int  # typos tolerated


def _phrase(intent: Intent, text: str) -> _Phrase:
    folded = fold(text)
    return _Phrase(intent, tuple(_words(text).split()), folded, _allowed_typos(folded))


# Folded once at import: parse() runs on every chat message.
_PHRASE_TABLE = tuple(_phrase(intent, text) for intent, texts in PHRASES.items() for text in texts)
