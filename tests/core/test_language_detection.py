"""Language detection on resident-style messages (tests/data/lang_corpus.tsv)."""

from __future__ import annotations

import statistics
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from bot.core.i18n.detect import detect_locale, detection_scores

CORPUS = Path(__file__).parent / "data" / "lang_corpus.tsv"
SUPPORTED = ("vi", "en")


def _load() -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        assert label in SUPPORTED, line
        rows.append((label, text))
    return rows


def _word_count(text: str) -> int:
    return sum(1 for tok in text.split() if any(ch.isalpha() for ch in tok))


def _is_plain_ascii(text: str) -> bool:
    return text.isascii()


ROWS = _load()
LONG = [(label, text) for label, text in ROWS if _word_count(text) >= 3]
SHORT = [(label, text) for label, text in ROWS if _word_count(text) < 3]
VI_LONG = [text for label, text in LONG if label == "vi"]
VI_PLAIN = [text for text in VI_LONG if _is_plain_ascii(text)]
VI_ACCENTED = [text for text in VI_LONG if not _is_plain_ascii(text)]


def _accuracy(predict, rows) -> tuple[float, list[str]]:
    wrong = []
    for label, text in rows:
        got = predict(text)
        if got != label:
            wrong.append(f"{label} -> {got}: {text}")
    return 1 - len(wrong) / len(rows), wrong


def test_corpus_is_big_and_realistic_enough():
    assert len(LONG) >= 300
    assert {label for label, _ in LONG} == {"vi", "en"}
    assert len(VI_PLAIN) >= 0.4 * len(VI_LONG)
    assert len(SHORT) >= 5


def test_accuracy_on_corpus():
    accuracy, wrong = _accuracy(lambda t: detect_locale(t, SUPPORTED), LONG)
    print(f"accuracy {accuracy:.3%} over {len(LONG)} lines")
    assert accuracy >= 0.97, f"accuracy {accuracy:.3%}; misclassified:\n" + "\n".join(wrong)


def _langdetect_alone(text: str) -> str | None:
    DetectorFactory.seed = 0
    try:
        found = [r for r in detect_langs(text) if r.lang in SUPPORTED]
    except LangDetectException:
        return None
    return max(found, key=lambda r: r.prob).lang if found else None


def test_beats_plain_langdetect_on_unaccented_vietnamese():
    rows = [("vi", text) for text in VI_PLAIN]
    ours, wrong = _accuracy(lambda t: detect_locale(t, SUPPORTED), rows)
    theirs, _ = _accuracy(_langdetect_alone, rows)
    print(f"unaccented vi: ours {ours:.1%}, langdetect alone {theirs:.1%}")
    assert ours >= 0.97, "\n".join(wrong)
    assert theirs < ours - 0.1


@pytest.mark.parametrize(("label", "text"), SHORT)
def test_short_corpus_lines_do_not_switch(label, text):
    assert detect_locale(text) is None
    assert detection_scores(text) == {}


@pytest.mark.parametrize(
    "text",
    ["ok", "cảm ơn", "thanks!", "e hỏi", "ko dc", "hi 👋", "", "   ", "\n\t"],
)
def test_fewer_than_three_words_is_none(text):
    assert detect_locale(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "123 456 7890",
        "0912 345 678 - 15/08/2024",
        "😀😀😀 👍👍 🙏",
        "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html",
        "https://example.com/a www.kimbang.gov.vn abc@example.com",
        "!!! ??? ... ---",
        "\x00\x01\x02 \ufffd \u200b\u200b",
        "1 2 3 4 5 6 7 8 9",
    ],
)
def test_no_letters_is_none(text):
    assert detect_locale(text) is None


def test_nfd_vietnamese_is_detected():
    # "Đường thôn bị ngập nước" typed on a keyboard that sends combining marks.
    nfd = "\u0110u\u031bo\u031b\u0300ng tho\u0302n bi\u0323 nga\u0323\u0302p nu\u031bo\u031b\u0301c"
    assert unicodedata.normalize("NFC", nfd) != nfd
    assert detect_locale(nfd) == "vi"
    decomposed = [unicodedata.normalize("NFD", text) for text in VI_ACCENTED]
    assert all(unicodedata.normalize("NFC", t) != t for t in decomposed)
    wrong = [t for t in decomposed if detect_locale(t) != "vi"]
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("toi muon hoi ve thu tuc lam so do", "vi"),
        ("e hok bik lam ntn, ad giup e vs", "vi"),
        ("đc r cảm ơn ad", "vi"),
        ("I live near Hà Nội and the street light is broken", "en"),
        ("The café on Lê Lợi street is very noisy at night", "en"),
        ("can u tell me where to pay the fee", "en"),
    ],
)
def test_typical_cases(text, expected):
    assert detect_locale(text) == expected


def test_supported_tuple_is_respected():
    vi_text = "den duong o ngo 5 hong 2 tuan r ma chua ai sua"
    assert detect_locale(vi_text, ("en",)) is None
    assert detect_locale(vi_text, ("en", "vi")) == "vi"
    assert detect_locale("The road near the market is flooded again", ("vi",)) is None
    assert set(detection_scores(vi_text, ("en", "vi"))) == {"en", "vi"}
    assert detect_locale(vi_text, ()) is None


def test_scores_favour_the_detected_language():
    scores = detection_scores("cho em hoi lam giay khai sinh can gi a")
    assert scores["vi"] > scores["en"]
    scores = detection_scores("Where can I get a copy of my birth certificate?")
    assert scores["en"] > scores["vi"]


def test_typical_message_is_fast():
    texts = [text for _, text in LONG]
    for text in texts:  # warm up (langdetect profiles load once)
        detect_locale(text)
    timings = []
    for text in texts:
        start = time.perf_counter()
        detect_locale(text)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.001


def test_thread_safe_and_deterministic():
    texts = [text for _, text in LONG] + ["hello e can hoi", "I can chat in the group"]
    expected = [detect_locale(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(detect_locale, texts * 3))
    assert got == expected * 3


async def test_usable_from_async_code():
    assert detect_locale("nha e o xom 2 thon Ba Sao nhe") == "vi"


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(document.cookie)</script>",
        "alert(1); x=y; {a: b}",
        "https://example.com/some/long/path?with=query",
        "0912 345 678 12/05/2026 15:30",
        "😀😀😀 👍👍 🙏",
        "<b></b> <i></i> &nbsp; &#39;",
    ],
)
def test_markup_code_urls_numbers_and_emoji_are_no_words(text: str) -> None:
    assert detect_locale(text) is None


def test_words_around_markup_still_count() -> None:
    assert detect_locale("<b>đường làng bị hỏng</b> https://x.vn/a") == "vi"
    assert detect_locale("gia < 5 trieu thi co duoc ho tro khong") == "vi"
