"""Locale precedence: explicit > detected > platform code > default."""

from __future__ import annotations

import pytest

from bot.core.i18n.choice import choose_locale, normalise_platform_code, update_detected

SUPPORTED = ("vi", "en")


@pytest.mark.parametrize(
    ("explicit", "detected", "platform_code", "default", "expected"),
    [
        ("en", "vi", "vi", "vi", "en"),  # explicit beats everything
        ("vi", "en", "en-US", "en", "vi"),
        (None, "vi", "en-US", "en", "vi"),  # own words beat the phone setting
        (None, "en", "vi", "vi", "en"),
        (None, None, "en-US", "vi", "en"),  # platform code when supported
        (None, None, "vi", "en", "vi"),
        (None, None, "fr", "vi", "vi"),  # unsupported code → default
        (None, None, None, "en", "en"),
        ("fr", None, None, "vi", "vi"),  # unsupported explicit value is skipped
        (None, "de", "en-GB", "vi", "en"),  # unsupported detection is skipped
        ("", "", "", "vi", "vi"),
    ],
)
def test_precedence_table(explicit, detected, platform_code, default, expected):
    got = choose_locale(
        explicit=explicit,
        detected=detected,
        platform_code=platform_code,
        default=default,
        supported=SUPPORTED,
    )
    assert got == expected


def test_phone_in_english_but_vietnamese_words_win():
    detected = None
    for text in ["xin chao", "cho e hoi duong thon minh bi ngap thi bao ai a"]:
        detected = update_detected(detected, text, SUPPORTED)
    locale = choose_locale(explicit=None, detected=detected, platform_code="en-US", default="vi", supported=SUPPORTED)
    assert detected == "vi"
    assert locale == "vi"


def test_detection_is_remembered_until_another_language():
    remembered = update_detected(None, "The street light near my house is broken", SUPPORTED)
    assert remembered == "en"
    for short in ["ok", "👍", "12", "thanks"]:
        remembered = update_detected(remembered, short, SUPPORTED)
        assert remembered == "en"
    remembered = update_detected(remembered, "den duong van chua sua ad oi", SUPPORTED)
    assert remembered == "vi"


def test_explicit_choice_survives_detection():
    detected = update_detected(None, "Đèn đường ở ngõ 5 bị hỏng rồi ạ", SUPPORTED)
    got = choose_locale(explicit="en", detected=detected, platform_code="vi", default="vi", supported=SUPPORTED)
    assert (detected, got) == ("vi", "en")


def test_unsupported_platform_code_falls_back_to_default():
    for default in SUPPORTED:
        got = choose_locale(explicit=None, detected=None, platform_code="fr-FR", default=default, supported=SUPPORTED)
        assert got == default


def test_default_outside_supported_uses_first_supported():
    got = choose_locale(explicit=None, detected=None, platform_code=None, default="fr", supported=("en", "vi"))
    assert got == "en"


def test_supported_tuple_is_a_parameter():
    got = choose_locale(explicit=None, detected="vi", platform_code="en", default="en", supported=("en",))
    assert got == "en"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "en"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("vi", "vi"),
        ("vi_VN", "vi"),
        (" vi-VN ", "vi"),
        ("fr", None),
        ("zh-TW", None),
        ("", None),
        (None, None),
        ("e", None),
        ("eng", None),
    ],
)
def test_normalise_platform_code(code, expected):
    assert normalise_platform_code(code) == expected


def test_normalise_platform_code_respects_supported():
    assert normalise_platform_code("en-US", ("vi",)) is None
    assert normalise_platform_code("vi", ("vi",)) == "vi"
