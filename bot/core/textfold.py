"""Fold Vietnamese text to a plain comparison key: no diacritics, lower case, no punctuation.

``fold("Phường  Lê Hồ.")`` → ``"phuong le ho"``. Used for unit names (``Unit.name_folded``) and for
what residents type, so "Thanh Sơn", "thanh son" and an NFD-encoded "Thanh Sơn" compare equal.
Pure and cheap: two regex passes and a translate.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "strip_prefixes"]

# Vietnamese tone and vowel marks all decompose (NFD) into U+0300–U+036F; đ does not decompose.
_MARKS = re.compile("[\u0300-\u036f]")
_PUNCT = re.compile(r"[\W_]+")
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """NFC, lower-case, drop diacritics (đ → d), punctuation to spaces, collapse whitespace."""
    s = unicodedata.normalize("NFC", text).lower().translate(_LETTERS)
    s = _MARKS.sub("", unicodedata.normalize("NFD", s))
    return " ".join(_PUNCT.sub(" ", s).split())


def strip_prefixes(folded: str, prefixes: tuple[str, ...]) -> str:
    """Remove leading type words (``prefixes`` are folded, longest first) while a name remains.

    ``strip_prefixes("tt que", ("thi tran", "tt"))`` → ``"que"``; a bare ``"xa"`` stays ``"xa"``.
    """
    words = folded.split()
    changed = True
    while changed and words:
        changed = False
        for p in prefixes:
            pw = p.split()
            if len(words) > len(pw) and words[: len(pw)] == pw:
                words = words[len(pw) :]
                changed = True
                break
    return " ".join(words)
