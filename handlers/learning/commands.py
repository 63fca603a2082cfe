"""/stop and /resume for campaign lessons (also the plain words "dừng", "stop", "tiếp tục"), and
/quizstats: quiz results per village for the staff who may read them."""

from __future__ import annotations

from bot.core.i18n import N_
from handlers.framework import WORK_SECTION, Context
from handlers.learning import registry
from storage import units
from storage.learning import queries, services
from storage.learning.permissions import RESULT_READERS, quiz_results_scope
from storage.units.models import Unit


@registry.command("stop", description=N_("Stop receiving lessons (notices still come)"), order=70)
async def stop(ctx: Context) -> None:
    assert ctx.person.id is not None
    await services.opt_out(ctx.session, ctx.person.id)
    ctx.say(
        ctx._(
            "You will not receive lessons any more. Notices from your village and ward still come. "
            "Send /resume to receive lessons again."
        )
    )


@registry.command("resume", description=N_("Receive lessons again"), order=71)
async def resume(ctx: Context) -> None:
    assert ctx.person.id is not None
    await services.opt_in(ctx.session, ctx.person.id)
    ctx.say(ctx._("You will receive lessons again. You can also read them any time with /learn."))


@registry.command("quizstats", description=N_("Quiz results per village"), roles=RESULT_READERS, order=40)
async def quizstats(ctx: Context) -> None:
    """One line per village: residents who learned · answers · correct (percent)."""
    scope = await quiz_results_scope(ctx.session, ctx.roles)
    stats = [s for s in await queries.village_stats(ctx.session, scope) if s.unit_id is not None]
    if not stats:
        ctx.say(ctx._("No resident in your area has answered a quiz yet."))
        return
    lines = [ctx._("Quiz results per village (residents who learned · answers · correct):")]
    for s in stats:
        unit = await ctx.session.get(Unit, s.unit_id)
        name = units.display_name(unit, ctx.locale) if unit else str(s.unit_id)
        pct = round(100 * s.correct / s.answered) if s.answered else 0
        lines.append(f"• {name}: {s.residents} · {s.answered} · {s.correct} ({pct}%)")
    ctx.say("\n".join(lines))


registry.keyword("stop", "dừng", "dừng lại", "stop", "dừng nhận", "hủy đăng ký")
registry.keyword("resume", "tiep tuc", "resume", "nhan lai")
registry.menu_item(N_("Quiz results"), "quizstats", roles=RESULT_READERS, order=40)
registry.help_section(WORK_SECTION, "quizstats", order=5)
registry.help_section(N_("Learn your rights"), "learn", "stop", "resume", order=20)
