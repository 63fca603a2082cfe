"""Free text outside any flow that reads like a report ("Đường làng bị hỏng nhiều ổ gà", "con duong
nay hong roi") is offered as a petition: yes starts /feedback with those words as the description
(the person still chooses the kind, the topic and the place). Short or ambiguous text, thanks and
greetings are left to the menu. Registered as a text hook of the petitions feature (the dispatcher
calls text hooks after commands, steps and plain-word shortcuts)."""

from __future__ import annotations

import re
import uuid

from bot.core.messages import Button
from bot.core.roles import STAFF
from bot.core.textfold import fold
from handlers.framework import Context, Fallback, run_fallback
from handlers.framework.menu import menu_buttons
from handlers.petitions import registry
from handlers.petitions.flows import open_feedback
from storage.people.permissions import has_consented
from storage.petitions.rules import DESCRIPTION_MAX, DESCRIPTION_MIN

OFFER_PREFIX = "fo"
OFFER_KEY = "feedback_offer"
"""Where the offered text waits, in the conversation data (outside any flow: the next message is free)."""
REPORT_MIN_WORDS = 4
_NOT_WORDS = re.compile(r"<[^>]*>|\b(?:https?://|www\.)\S+|\S*[=/\\{}<>@#$%^&*_|`~]\S*")
_WORD = re.compile(r"^[^\W\d_]+$")
SOCIAL_STARTS = (
    "cam on",
    "xin cam on",
    "xin chao",
    "chao",
    "alo",
    "ok",
    "vang",
    "da vang",
    "thank",
    "thanks",
    "hello",
    "hi",
    "tam biet",
    "bye",
)
"""Thanks, greetings and yeses are not reports, however long ("cảm ơn cán bộ phường nhiều lắm")."""


def reads_like_report(text: str) -> bool:
    """Several real words (markup, code, links and numbers count for nothing), long enough to be a
    petition's description, and not thanks or a greeting."""
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        return False
    tokens = (t.strip(".,;:!?…\"'()") for t in _NOT_WORDS.sub(" ", text).split())
    words = [w for w in tokens if _WORD.match(w)]
    if len(words) < REPORT_MIN_WORDS or len(" ".join(words)) < DESCRIPTION_MIN:
        return False
    folded = " ".join(fold(w) for w in words)
    return not any(folded == s or folded.startswith(s + " ") for s in SOCIAL_STARTS)


@registry.text_hook
async def offer_feedback(ctx: Context, text: str) -> bool:
    """Offer to send ``text`` as a petition; False (not handled) when it does not read like one."""
    if ctx.has_role(*STAFF) or not has_consented(ctx.person) or not reads_like_report(text):
        return False
    token = uuid.uuid4().hex[:10]
    ctx.conv.data[OFFER_KEY] = {"token": token, "text": text}
    ctx.say(
        ctx._("Would you like to send this as a report (phản ánh) or a suggestion (góp ý)?"),
        [
            [
                Button(ctx._("Yes, send it"), f"{OFFER_PREFIX}:yes:{token}"),
                Button(ctx._("No, thank you"), f"{OFFER_PREFIX}:no:{token}"),
            ]
        ],
    )
    return True


@registry.action(OFFER_PREFIX)
async def offer_answered(ctx: Context, arg: str) -> None:
    answer, _, token = arg.partition(":")
    offer = ctx.conv.data.get(OFFER_KEY) or {}
    if not token or offer.get("token") != token:  # an older offer: its text is gone
        await run_fallback(ctx, Fallback.STALE_BUTTON)
        return
    ctx.conv.data.pop(OFFER_KEY, None)
    if answer != "yes":
        ctx.say(ctx._("All right. Here is what you can do:"), menu_buttons(ctx))
        return
    if not has_consented(ctx.person):
        await run_fallback(ctx, Fallback.NEEDS_CONSENT)
        return
    await open_feedback(ctx, description=offer["text"])
