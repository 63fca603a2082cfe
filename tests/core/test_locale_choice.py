"""Locale precedence: explicit > detected > platform code > default."""

from __future__ import annotations

import pytest

from bot.core.i18n.choice import Detection, choose_locale, normalise_platform_code, update_detected

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
        detected = update_detected(detected, text, SUPPORTED).locale
    locale = choose_locale(explicit=None, detected=detected, platform_code="en-US", default="vi", supported=SUPPORTED)
    assert detected == "vi"
    assert locale == "vi"


def test_detection_moves_away_only_after_two_messages_in_a_row():
    first = update_detected(None, "The street light near my house is broken", SUPPORTED)
    assert first == Detection("en", None)  # nothing known yet: taken at once
    state = first
    for short in ["ok", "👍", "12", "thanks", "<img src=x onerror=alert(1)>"]:
        state = update_detected(state.locale, short, SUPPORTED, pending=state.pending)
        assert state == Detection("en", None)
    state = update_detected(state.locale, "den duong van chua sua ad oi", SUPPORTED, pending=state.pending)
    assert state == Detection("en", "vi")  # once: still English
    state = update_detected(state.locale, "ok", SUPPORTED, pending=state.pending)
    assert state == Detection("en", "vi")  # no evidence either way keeps the pending guess
    state = update_detected(state.locale, "con duong nay hong roi", SUPPORTED, pending=state.pending)
    assert state == Detection("vi", None)


def test_a_message_in_the_known_language_breaks_the_row():
    state = update_detected("vi", "The street light near my house is broken", SUPPORTED)
    assert state == Detection("vi", "en")
    state = update_detected(state.locale, "đèn đường vẫn chưa sửa ạ", SUPPORTED, pending=state.pending)
    assert state == Detection("vi", None)
    state = update_detected(state.locale, "Please send someone to fix it", SUPPORTED, pending=state.pending)
    assert state == Detection("vi", "en")


def test_explicit_choice_survives_detection():
    detected = update_detected(None, "Đèn đường ở ngõ 5 bị hỏng rồi ạ", SUPPORTED).locale
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
