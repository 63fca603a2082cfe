"""Guess whether a resident's message is Vietnamese or English.

Cheap signals first, in this order:

1. Vietnamese letters or tone marks (after NFC) mean Vietnamese, unless the
   rest of the message is plainly English (an expat naming "Hà Nội").
2. Word shapes: the share of tokens that spell a Vietnamese syllable with the
   accents stripped, or are teen code ("ko", "dc", "ntn"), against the share
   of English function words and of words no Vietnamese syllable can spell.

Only when those are inconclusive do we ask langdetect (slow, several ms, and
poor at unaccented Vietnamese), restricted to the supported locales, and
blend its answer with the word-shape score. Only prose counts: markup
(``<img src=x onerror=…>``), code-like tokens (``alert(1)``, ``a=b``), URLs,
e-mail addresses, numbers and emoji are dropped first. Fewer than three words
of prose give None: too little to switch language on.

Everything here is pure apart from the one-time, locked load of langdetect's
profiles, so it is safe to call from threads and from async code.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import NamedTuple

from langdetect import DetectorFactory, detect_langs
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

from bot.core.i18n.vi_syllables import NEUTRAL_TOKENS, VI_CHAT_TOKENS, VI_SYLLABLES

__all__ = ["MIN_WORDS", "detect_locale", "detection_scores"]

DetectorFactory.seed = 0

MIN_WORDS = 3
# Word-shape share at or above which we decide without langdetect.
_SURE_SHARE = 0.8
# Blended score a locale needs before we call the detection confident.
_CONFIDENT = 0.65

_VI_LETTERS = frozenset("ăâđêôơư")
# Combining marks Vietnamese uses for tones and vowel quality, seen after NFD.
_VI_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|\S+\.(?:com|vn|org|net)\S*", re.I)
_MARKUP = re.compile(r"</?[A-Za-z!][^<>]*>?|&#?\w+;")
# A token with any of these is code, a path or a formula, not a word somebody says.
_CODE_CHARS = frozenset("=(){}[]<>;/\\|$#*_`^~+")
_WORD = re.compile(r"[^\W\d_]+")

_EN_FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a about after again all also am an and any are as at be because been before
    being but by can cant could did do does doesnt dont for from get got had has
    have he her here hi him his how i if im in into is isnt it its just know
    many may me might more much must my need no not now of on or our out over
    please pls plz really she should since so some sorry than thank thanks that
    the their them then there these they this those thx to too u until up us
    very want was we were what when where which who why will with would yes you
    your hello hey
    """.split()  # noqa: SIM905  (a word list reads best as words)
)

_factory_lock = threading.Lock()
_factory_ready = False


def _prose(text: str) -> str:
    """The text without markup, URLs and code-like tokens: only what could be somebody's words."""
    text = _MARKUP.sub(" ", unicodedata.normalize("NFC", text))
    text = _URL.sub(" ", text)
    return " ".join(tok for tok in text.split() if not any(ch in _CODE_CHARS for ch in tok))


def _words(text: str) -> list[str]:
    text = _prose(text).replace("'", "").replace("\u2019", "")
    return _WORD.findall(text.lower())


def _has_vi_marks(token: str) -> bool:
    if any(ch in _VI_LETTERS for ch in token):
        return True
    if token.isascii():
        return False
    return any(ch in _VI_MARKS for ch in unicodedata.normalize("NFD", token))


class _Shape(NamedTuple):
    vi: float  # points for Vietnamese
    en: float  # points for English
    scored: int  # tokens that took part (neutral ones like "ok" do not)
    marked: int  # tokens with Vietnamese letters or tone marks
    foreign: int  # tokens no Vietnamese syllable or chat token can spell


def _shape_scores(words: list[str]) -> _Shape:
    vi = en = 0.0
    scored = marked = foreign = 0
    for word in words:
        if word in NEUTRAL_TOKENS:
            continue
        scored += 1
        if _has_vi_marks(word):
            marked += 1
            vi += 1
        elif word in _EN_FUNCTION_WORDS and (word in VI_SYLLABLES or word in VI_CHAT_TOKENS):
            vi += 0.5  # "a", "to", "the", "can" are Vietnamese spellings too
            en += 0.5
        elif word in VI_CHAT_TOKENS or word in VI_SYLLABLES:
            vi += 1
        else:
            en += 1
            foreign += 1
    return _Shape(vi, en, scored, marked, foreign)


def _langdetect_scores(text: str, langs: tuple[str, ...]) -> dict[str, float]:
    global _factory_ready
    if not _factory_ready:
        with _factory_lock:
            init_factory()
            _factory_ready = True
    try:
        found = detect_langs(text)
    except LangDetectException:
        return {}
    return {r.lang: r.prob for r in found if r.lang in langs}


def _base(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].lower()


def _judge(text: str, supported: tuple[str, ...]) -> tuple[dict[str, float], str | None]:
    """Return (score per supported locale, the confident locale or None)."""
    words = _words(text)
    if len(words) < MIN_WORDS or not supported:
        return {}, None
    bases = {loc: _base(loc) for loc in supported}
    shape = _shape_scores(words)
    if shape.scored == 0:
        return {}, None
    p_vi, p_en = shape.vi / shape.scored, shape.en / shape.scored
    share = {"vi": p_vi, "en": p_en}
    unmarked = shape.scored - shape.marked
    # An English sentence naming "Lê Lợi" street stays a candidate for English.
    english_around_marks = unmarked > 0 and shape.en >= 3 and shape.en / unmarked >= 0.7

    verdict: str | None = None
    result: dict[str, float] = {}
    if shape.marked and not english_around_marks:
        result, verdict = {"vi": 1.0}, "vi"
    elif set(bases.values()) <= {"vi", "en"} and not shape.marked:
        result = share
        if p_vi >= _SURE_SHARE:
            verdict = "vi"
        elif p_en >= _SURE_SHARE or (shape.foreign >= 3 and p_en >= 0.6):
            verdict = "en"
    if verdict is None:
        wanted = tuple(dict.fromkeys(bases.values()))
        ld = _langdetect_scores(_prose(text), wanted)
        total = sum(ld.values())
        ld = {lang: p / total for lang, p in ld.items()} if total else {}
        result = {}
        for lang in wanted:
            if lang in share and ld:
                result[lang] = (share[lang] + ld.get(lang, 0.0)) / 2
            elif lang in share:
                result[lang] = share[lang]
            else:
                result[lang] = ld.get(lang, 0.0)
        best = max(result, key=lambda lang: result[lang])
        verdict = best if result[best] >= _CONFIDENT else None
    scores = {loc: result.get(base, 0.0) for loc, base in bases.items()}
    chosen = [loc for loc, base in bases.items() if base == verdict]
    return scores, (chosen[0] if chosen else None)


def detection_scores(text: str, supported: tuple[str, ...] = ("vi", "en")) -> dict[str, float]:
    """Score each supported locale between 0 and 1 (scores sum to at most 1).

    Returns an empty dict when there is nothing to judge (no letters, or
    fewer than MIN_WORDS words).
    """
    return _judge(text, supported)[0]


def detect_locale(text: str, supported: tuple[str, ...] = ("vi", "en")) -> str | None:
    """Return the supported locale the text is confidently written in, else None.

    None means "too short, no letters, or not sure": callers then keep
    whatever locale they had. Never raises on odd input.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return _judge(text, supported)[1]
    except Exception:  # detection must never break message handling
        return None
