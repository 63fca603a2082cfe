"""The people feature's manifest: onboarding, profile, roles and invites, the commands every person
has; the push telling a person of a role an operator gave or ended (``notify``: connected when this
module is imported); its part of /mydata and /forget; its statistics (residents onboarded,
consents, by channel). It has no scheduled jobs yet (``jobs.JOBS`` is empty). Its tables live in the
root migration (``0001_core``) together with the core ones, hence no branch of its own.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import N_
from handlers.framework.manifest import Figure, Manifest, StatsScope
from handlers.people import commands, dashboard, flows, jobs, join, notify, profile, registry  # noqa: F401  (they register)
from storage.people import queries

CHANNEL_LABELS = {
    "telegram": N_("Residents onboarded on Telegram"),
    "zalo": N_("Residents onboarded on Zalo"),
    "web": N_("Residents onboarded on the web chat"),
}


async def stats(session: AsyncSession, scope: StatsScope) -> list[Figure]:
    """Residents (people without a role) of the scope who onboarded or consented in the period and
    still consent; onboarded ones by the chat app they use."""
    onboarded = await queries.onboarded_count(session, scope.unit_ids, scope.start, scope.end)
    consents = await queries.consent_count(session, scope.unit_ids, scope.start, scope.end)
    by_channel = await queries.onboarded_by_channel(session, scope.unit_ids, scope.start, scope.end)
    figures = [
        Figure(
            "people.onboarded",
            N_("Residents onboarded"),
            onboarded,
            N_("Residents who finished setting up their profile in the period and still agree to the privacy notice."),
        ),
        Figure(
            "people.consent_given",
            N_("Consents given"),
            consents,
            N_("Residents who agreed to the privacy notice in the period and have not withdrawn it."),
        ),
    ]
    figures += [
        Figure(
            f"people.onboarded.{channel}",
            label,
            by_channel.get(channel, 0),
            N_("Counted by the chat app of their accounts: somebody on two apps counts on both."),
        )
        for channel, label in CHANNEL_LABELS.items()
    ]
    return figures


MANIFEST = Manifest(
    name="people",
    registry=registry,
    jobs=jobs.JOBS,
    export=profile.export,
    erase=profile.erase,
    stats=stats,
    catalog="people",
    migration_branch=None,
)
