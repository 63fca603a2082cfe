"""Choose the locale to answer a resident in.

Precedence, highest first:

1. the resident's explicit choice (/language);
2. the language their own messages were confidently detected in, kept until
   they write confidently in another one twice in a row (see `update_detected`);
3. the platform's language code, when supported ("en-US" → "en");
4. the deployment default.

Many residents' phones are set to English while they type Vietnamese, so
their words (2) outrank the phone setting (3).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from bot.core.i18n.detect import detect_locale

__all__ = ["Detection", "LocaleHolder", "choose_locale", "normalise_platform_code", "person_locale", "update_detected"]


class LocaleHolder(Protocol):
    """What a person record keeps for the locale choice (``storage.people.models.Person``)."""

    locale: str | None
    detected_locale: str | None
    platform_locale: str | None


def _match(code: str | None, supported: tuple[str, ...]) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.strip().replace("_", "-").lower()
    if not code:
        return None
    by_lower = {loc.lower(): loc for loc in supported}
    if code in by_lower:
        return by_lower[code]
    base = code.split("-")[0]
    return by_lower.get(base)


def normalise_platform_code(code: str | None, supported: tuple[str, ...] = ("vi", "en")) -> str | None:
    """Map a platform language code ("en-US", "vi_VN", "VI") to a supported locale.

    Returns None for missing, empty or unsupported codes ("fr", "zh-TW").
    """
    return _match(code, supported)


def choose_locale(
    *,
    explicit: str | None,
    detected: str | None,
    platform_code: str | None,
    default: str,
    supported: tuple[str, ...],
) -> str:
    """Return the locale to use, following the precedence in the module docstring.

    Unsupported values at any level are skipped. If even `default` is not
    supported, the first supported locale is used.
    """
    for candidate in (explicit, detected, platform_code):
        found = _match(candidate, supported)
        if found is not None:
            return found
    found = _match(default, supported)
    if found is not None:
        return found
    return supported[0] if supported else default


class Detection(NamedTuple):
    """What to remember of a person's language after one message."""

    locale: str | None
    """The language their words are in (None: not known yet)."""
    pending: str | None
    """Another language seen once, just now: one more message in it in a row makes it ``locale``."""


def update_detected(
    previous: str | None, text: str, supported: tuple[str, ...] = ("vi", "en"), *, pending: str | None = None
) -> Detection:
    """What to remember after the resident sends `text`.

    The first confident detection is taken at once. Moving away from a language the person has
    used takes two confident messages in the other one in a row: a pasted sentence, a line of
    markup or a quote does not flip it. Short or unclear messages ("ok", "👍", "2", ``<img …>``)
    are no evidence either way and leave both as they were.
    """
    found = detect_locale(text, supported)
    if found is None:
        return Detection(previous, pending)
    if previous is None or found in (previous, pending):
        return Detection(found, None)
    return Detection(previous, found)


def person_locale(person: LocaleHolder | None, default: str, supported: tuple[str, ...] = ("vi", "en")) -> str:
    """The one rule for the language to write to a person in, for a reply or a push alike."""
    if person is None:
        return choose_locale(explicit=None, detected=None, platform_code=None, default=default, supported=supported)
    return choose_locale(
        explicit=person.locale,
        detected=person.detected_locale,
        platform_code=person.platform_locale,
        default=default,
        supported=supported,
    )
