"""Tracking codes: short, typeable, self-checking — ``KB-26-7H3K9W``.

Layout: deployment prefix, two-digit year, five characters from a 32-symbol alphabet without the
look-alikes 0/O and 1/I, then one check character (Luhn mod 32 over year and body), which catches
every single mistyped character and most swapped neighbours. ``parse_code`` forgives lower case,
spaces, dots, missing dashes and a missing prefix, and reads O/I as 0/1 in the year (where only
digits belong) and 0/1 as O/I in the prefix (where only letters belong). The example shown to people
(``example_code``) is built by the same scheme, so it passes the check itself.
"""

from __future__ import annotations

import re
import secrets

from bot.core.clock import utcnow
from storage.petitions.errors import MalformedCode

__all__ = ["ALPHABET", "BODY_LEN", "check_char", "example_code", "is_valid", "new_code", "parse_code"]

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0, 1, I, O
BODY_LEN = 5
_N = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_SHAPE = re.compile(r"^([A-Z]{1,4})(\d{2})([" + ALPHABET + r"]{" + str(BODY_LEN + 1) + r"})$")


def _values(year: str, body: str) -> list[int]:
    return [int(d) for d in year] + [_INDEX[c] for c in body]


def check_char(year: str, body: str) -> str:
    """Luhn mod 32 check symbol over the year digits and body symbols."""
    factor, total = 2, 0
    for v in reversed(_values(year, body)):
        addend = factor * v
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def _code(prefix: str, year: int, body: str) -> str:
    yy = f"{year % 100:02d}"
    return f"{prefix.upper()}-{yy}-{body}{check_char(yy, body)}"


def new_code(prefix: str, year: int) -> str:
    """A fresh random code such as ``KB-26-7H3K9W`` (uniqueness is the caller's job: retry on clash)."""
    return _code(prefix, year, "".join(secrets.choice(ALPHABET) for _ in range(BODY_LEN)))


EXAMPLE_BODY = "7H3K9"


def example_code(prefix: str = "KB", year: int | None = None) -> str:
    """The code shown as an example ("for example KB-26-7H3K9W"): this year's, a valid one."""
    return _code(prefix, utcnow().year if year is None else year, EXAMPLE_BODY)


def parse_code(text: str, prefix: str = "KB") -> str:
    """The canonical code for what a person typed, or ``MalformedCode``."""
    raw = (text or "").strip()
    bad = MalformedCode(code=raw[:40], example=example_code(prefix))
    s = re.sub(r"[\s\-_.·/]+", "", raw).upper()
    prefix = prefix.upper()
    if s[:1].isdigit() or s[:1] in ("O", "I"):
        s = prefix + s
    m = re.match(r"^([A-Z01]{1,4}?)([0-9OIL]{2})(.+)$", s)
    if not m:
        raise bad
    pre = m.group(1).replace("0", "O").replace("1", "I")
    year = m.group(2).replace("O", "0").replace("I", "1").replace("L", "1")
    canonical = pre + year + m.group(3)
    full = _SHAPE.match(canonical)
    if not full:
        raise bad
    pre, year, rest = full.groups()
    body, check = rest[:-1], rest[-1]
    if check_char(year, body) != check:
        raise bad
    return f"{pre}-{year}-{rest}"


def is_valid(text: str, prefix: str = "KB") -> bool:
    try:
        parse_code(text, prefix)
    except MalformedCode:
        return False
    return True
