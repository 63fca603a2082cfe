"""Languages: translation catalogs, language detection from residents' text, and locale choice."""

from bot.core.i18n.catalog import LOCALES_DIR, N_, SUPPORTED, Translator, catalog, gettext, placeholders
from bot.core.i18n.choice import choose_locale, normalise_platform_code, person_locale, update_detected
from bot.core.i18n.detect import detect_locale, detection_scores

__all__ = [
    "LOCALES_DIR",
    "N_",
    "SUPPORTED",
    "Translator",
    "catalog",
    "choose_locale",
    "detect_locale",
    "detection_scores",
    "gettext",
    "normalise_platform_code",
    "person_locale",
    "placeholders",
    "update_detected",
]
