"""Word lists for spotting Vietnamese typed without diacritics.

`VI_SYLLABLES` is built at import time from onset and rhyme tables, with
tone marks stripped and "đ" written as "d", the way residents type when
their keyboard has no Vietnamese input. It over-generates a little (a few
spellings that no real word uses); that is harmless for language detection.
`VI_CHAT_TOKENS` holds teen code and administrative abbreviations.
`NEUTRAL_TOKENS` appear in messages of either language and are ignored.
"""

from __future__ import annotations

__all__ = ["NEUTRAL_TOKENS", "VI_CHAT_TOKENS", "VI_SYLLABLES"]

_ONSETS = (
    "",
    "b",
    "c",
    "ch",
    "d",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
)

# Rhymes without a final consonant (ă/â → a, ê → e, ô/ơ → o, ư → u).
_OPEN_RHYMES = (
    "a",
    "e",
    "i",
    "o",
    "u",
    "y",
    "ai",
    "ao",
    "au",
    "ay",
    "eo",
    "eu",
    "ia",
    "iu",
    "oi",
    "ui",
    "uu",
    "ua",
    "oa",
    "oe",
    "uy",
    "ue",
    "uo",
    "ya",
    "ieu",
    "yeu",
    "uoi",
    "uou",
    "oai",
    "oay",
    "oao",
    "oeo",
    "uya",
    "uyu",
)

# Nucleus → finals it takes ("ch"/"nh" only after front vowels, and so on).
_CLOSED_RHYMES: dict[str, tuple[str, ...]] = {
    "a": ("c", "ch", "m", "n", "ng", "nh", "p", "t"),
    "e": ("c", "ch", "m", "n", "ng", "nh", "p", "t"),
    "i": ("ch", "m", "n", "nh", "p", "t"),
    "o": ("c", "m", "n", "ng", "p", "t"),
    "u": ("c", "m", "n", "ng", "p", "t"),
    "ie": ("c", "m", "n", "ng", "p", "t"),
    "ye": ("m", "n", "t"),
    "uo": ("c", "m", "n", "ng", "p", "t"),
    "oa": ("c", "ch", "m", "n", "ng", "nh", "p", "t"),
    "oe": ("c", "n", "t"),
    "oo": ("c", "ng"),
    "uy": ("ch", "n", "nh", "t"),
    "uye": ("n", "t"),
    "ue": ("ch", "nh"),
}

# Spelling rules: k/gh/ngh only before front vowels; c/g/ng never before them.
_FRONT = ("e", "i", "y")
_FRONT_ONLY = {"k", "gh", "ngh"}
_NOT_FRONT = {"c", "g", "ng"}

VI_CHAT_TOKENS: frozenset[str] = frozenset(
    """
    ko k kg khg kh hok hong hem khum hum dc dk j ntn bn mk mik mn vs r z dz dzay
    zay e a c b m t ah ak uk uh ukm um wa bik bit bjt bjo bh h cx ms lm nc ng
    dg trc kq sdt dt nt ib ad iu nhiu ik thik tui hix nhe nha
    cccd cmnd ubnd hdnd bhyt bhxh tdp gd qsdd ttnd mttq kb kp vn cn sn hs gv
    """.split()  # noqa: SIM905  (a word list reads best as words)
)

NEUTRAL_TOKENS: frozenset[str] = frozenset(
    """
    ok oke okie oki okay haha hihi hehe huhu hic lol zalo fb facebook app wifi
    email sms otp bot covid karaoke
    """.split()  # noqa: SIM905  (a word list reads best as words)
)


def _build() -> frozenset[str]:
    rhymes = set(_OPEN_RHYMES)
    for nucleus, finals in _CLOSED_RHYMES.items():
        rhymes.update(nucleus + final for final in finals)
    out: set[str] = set()
    for onset in _ONSETS:
        for rhyme in rhymes:
            front = rhyme.startswith(_FRONT)
            if onset in _FRONT_ONLY and not front:
                continue
            if onset in _NOT_FRONT and front:
                continue
            if onset == "qu" and rhyme.startswith(("o", "u")):
                continue
            if onset == "gi" and rhyme.startswith("i"):
                continue
            out.add(onset + rhyme)
    out.add("gi")  # "gì": g + i, an exception to the rule above
    return frozenset(out)


VI_SYLLABLES: frozenset[str] = _build()
