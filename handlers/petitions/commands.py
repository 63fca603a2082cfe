"""How a person reaches the petition commands without typing their slash name: the plain words
(typed with or without diacritics) and the main-menu entries. The commands themselves are where
their flows are: /feedback in ``flows.py``, /mine, /status and /public in ``track.py``, /queue in
``queue.py``."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.roles import CASE_READERS, STAFF
from handlers.framework import WORK_SECTION
from handlers.petitions import offer, registry  # noqa: F401  (offer: free text as a petition)

registry.keyword(
    "feedback", "gop y", "phan anh", "khieu nai", "to cao", "kien nghi", "feedback", "gui gop y", "gui phan anh"
)
registry.menu_item(N_("Send feedback"), "feedback", order=10, hidden_for=STAFF)
registry.menu_item(N_("My petitions"), "mine", order=11, hidden_for=STAFF, consent=True)
registry.menu_item(N_("Petition queue"), "queue", roles=CASE_READERS, order=15)
registry.keyword("queue", "hang doi", "ho so", "queue")
registry.keyword("mine", "cua toi", "don cua toi", "gop y cua toi", "theo doi")
registry.keyword("status", "tra cuu", "tra cuu ma")
registry.help_section(WORK_SECTION, "queue", order=5)
registry.help_section(N_("Send feedback and follow it"), "feedback", "mine", "status", "public", order=10)
