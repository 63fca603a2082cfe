"""Tracking codes: shape, tolerant parsing, and the check character catching every typo."""

from __future__ import annotations

import pytest

from storage import petitions
from storage.petitions import codes

# --- tracking codes ------------------------------------------------------------------------------


def test_new_code_shape_and_alphabet() -> None:
    for _ in range(200):
        code = codes.new_code("KB", 2026)
        pre, yy, rest = code.split("-")
        assert (pre, yy, len(rest)) == ("KB", "26", 6)
        assert not set(rest) & set("01OI")
        assert codes.parse_code(code) == code


def test_parse_is_tolerant() -> None:
    code = codes.new_code("KB", 2026)
    body = code.split("-")[2]
    assert codes.parse_code(f"  kb 26 {body.lower()} ") == code
    assert codes.parse_code(f"KB26{body}") == code
    assert codes.parse_code(f"26-{body}") == code  # prefix left out
    # O typed for 0 and I for 1 in the year part (only digits belong there)
    c30 = codes.new_code("KB", 2030)
    assert codes.parse_code(c30.replace("-30-", "-3O-")) == c30
    c11 = codes.new_code("KB", 2011)
    assert codes.parse_code(c11.replace("-11-", "-II-")) == c11


def _typos(rest: str) -> list[str]:
    """Every single-character substitution of ``rest`` (body and check character)."""
    return [rest[:i] + ch + rest[i + 1 :] for i in range(len(rest)) for ch in codes.ALPHABET if ch != rest[i]]


def _code(body: str) -> str:
    return body + codes.check_char("26", body)


# Luhn mod 32 has one blind spot, as decimal Luhn has 0↔9: swapping the first and last symbols of
# the alphabet ("2", value 0, and "Z", value 31) keeps the sum. Every other swap is caught.
BLIND_SPOT = {"2Z", "Z2"}


@pytest.mark.parametrize("rest", [_code("23456"), _code("ZZZZZ"), _code("A2B3C"), _code("7H3K9"), _code("2Z2Z2")])
def test_check_character_catches_every_typo_and_swap(rest: str) -> None:
    assert codes.is_valid(f"KB-26-{rest}")  # the real code parses
    typos = _typos(rest)
    assert len(typos) == 6 * 31  # 31 wrong symbols in each of the 6 places
    for wrong in typos:
        with pytest.raises(petitions.MalformedCode):
            codes.parse_code(f"KB-26-{wrong}")
    for i in range(len(rest) - 1):
        if rest[i] == rest[i + 1]:
            continue
        wrong = rest[:i] + rest[i + 1] + rest[i] + rest[i + 2 :]
        assert codes.is_valid(f"KB-26-{wrong}") == (rest[i : i + 2] in BLIND_SPOT), (rest, wrong)


def test_every_adjacent_pair_of_symbols_swapped_is_caught_but_the_blind_spot() -> None:
    """Exhaustive over the alphabet: each ordered pair of different symbols, swapped in every
    position of a code, is refused unless it is the 2/Z pair."""
    missed = set()
    for a in codes.ALPHABET:
        for b in codes.ALPHABET:
            if a == b:
                continue
            for pos in range(4):  # the pair inside the body, or the body's last symbol and the check
                body = ("34567"[:pos] + a + b + "34567")[:5]
                rest = _code(body)
                swapped = rest[:pos] + rest[pos + 1] + rest[pos] + rest[pos + 2 :]
                if codes.is_valid(f"KB-26-{swapped}"):
                    missed.add(a + b)
            rest = _code("3456" + a)
            if rest[4] != rest[5] and codes.is_valid(f"KB-26-{rest[:4]}{rest[5]}{rest[4]}"):
                missed.add(rest[4:6])
    assert missed <= BLIND_SPOT and "2Z" in missed


@pytest.mark.parametrize(
    "bad", ["", "hello", "KB-26", "KB-26-0000000", "KB-26-ABCDEFGH", "KB-XX-7H3K9M", "<script>", "KB-26-7H3K9"]
)
def test_malformed_codes(bad: str) -> None:
    with pytest.raises(petitions.MalformedCode):
        codes.parse_code(bad)
