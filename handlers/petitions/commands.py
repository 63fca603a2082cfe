"""How a person reaches the petition commands without typing their slash name: the plain words
(typed with or without diacritics) and the main-menu entries. The commands themselves are where
their flows are: /feedback in ``flows.py``, /mine, /status and /public in ``track.py``, /queue in
``queue.py``."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.roles import CASE_READERS
from handlers.petitions import registry

registry.keyword(
    "feedback", "gop y", "phan anh", "khieu nai", "to cao", "kien nghi", "feedback", "gui gop y", "gui phan anh"
)
registry.menu_item(N_("Send feedback"), "feedback", order=10)
registry.menu_item(N_("Petition queue"), "queue", roles=CASE_READERS, order=15)
registry.keyword("queue", "hang doi", "ho so", "queue")
registry.keyword("mine", "cua toi", "don cua toi", "gop y cua toi", "theo doi")
registry.keyword("status", "tra cuu", "tra cuu ma")
