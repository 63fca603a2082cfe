"""Every user-facing string of the web chat page, as message ids, and their translation.

The page gets them server-side (rendered into index.html) and as ``/webchat/i18n.json`` for the
script, so the ``.po`` catalogs (and ``tests/test_translations.py``) cover the page too.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from bot.core.i18n import N_, SUPPORTED, gettext

PAGE: dict[str, str] = {
    "title": N_("Loa Làng — chat with your ward"),
    "heading": N_("Loa Làng"),
    "subtitle": N_("Chat with your ward"),
    "log_label": N_("Messages"),
    "input_label": N_("Type your message"),
    "input_placeholder": N_("Type a message…"),
    "send": N_("Send"),
    "attach": N_("Send a photo, a document or an audio file"),
    "lang_switch_label": N_("Change language"),
    "status_connecting": N_("Connecting…"),
    "status_online": N_("Connected"),
    "status_offline": N_("Connection lost. Reconnecting…"),
    "too_long": N_(
        "Your message has {count} characters; the limit is {limit}. Please shorten it or send it in "
        "parts. Your text is kept in the box."
    ),
    "rate_limited": N_(
        "You are sending messages very quickly. Please wait {seconds} seconds and try again. "
        "Your text is kept in the box."
    ),
    "bad_request": N_("Sorry, that message could not be read. Please try again."),
    "server_error": N_("Sorry, something went wrong on our side. Please try again in a moment."),
    "upload_too_big": N_("This file is too large. The limit is {limit} MB."),
    "upload_bad_type": N_(
        "Sorry, this kind of file cannot be received. Please send a photo (JPEG, PNG, WebP, HEIC), "
        "a PDF, Word or Excel document, or a voice recording (M4A, MP3, OGG, WAV)."
    ),
    "upload_failed": N_("The file could not be sent. Please try again."),
    "file_label": N_("File: {name}"),
    "download": N_("Open the file {name}"),
    "voice_label": N_("Voice message: {name}"),
    "record": N_("Record a voice message"),
    "record_send": N_("Stop and send the voice message"),
    "record_cancel": N_("Cancel"),
    "recording": N_("Recording… {time}"),
    "record_denied": N_(
        "The microphone could not be used. Please allow it in the browser, or type your message instead."
    ),
    "location_button": N_("Send my location"),
    "location_hint": N_("Your browser will ask you first. The location is used only for this message."),
    "location_shown": N_("Location: {lat}, {lon}"),
    "location_denied": N_(
        "Your location could not be read. Please type the place instead, for example the village and a nearby landmark."
    ),
    "location_unavailable": N_("This browser cannot share a location here. Please type the place instead."),
    "phone_label": N_("Your phone number"),
    "phone_placeholder": N_("Phone number"),
    "you": N_("You"),
    "bot": N_("Ward"),
    "not_sent": N_("Not sent"),
    "persona_label": N_("Demo role"),
    "persona_new": N_("New visitor (start over)"),
    "demo_note": N_("Demo mode: sample people and data only."),
    "open_chat": N_("Chat with the ward"),
    "close_chat": N_("Close the chat"),
}

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@lru_cache(maxsize=8)
def page_strings(lang: str) -> dict[str, str]:
    """The page's strings in ``lang`` (placeholders left for the script to fill)."""
    lang = lang if lang in SUPPORTED else "vi"
    return {key: gettext(lang, msgid) for key, msgid in PAGE.items()}


def t(lang: str, key: str, **params: object) -> str:
    return gettext(lang if lang in SUPPORTED else "vi", PAGE[key], **params)


_SLOT = re.compile(r"\{\{(\w+)\}\}")


def render(template: str, lang: str, extra: dict[str, str]) -> str:
    """Fill ``{{key}}`` slots of the HTML template with escaped strings."""
    strings = page_strings(lang)

    def fill(m: re.Match[str]) -> str:
        key = m.group(1)
        value = extra[key] if key in extra else strings.get(key, "")
        return html.escape(value, quote=True)

    return _SLOT.sub(fill, template)
