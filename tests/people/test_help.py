"""/help groups what the person can do by what they want to do, in plain words, for their roles."""

from __future__ import annotations

from bot.core.i18n import gettext
from tests.world import World


def _t(msgid: str) -> str:
    return gettext("vi", msgid)


def _line(description: str, name: str) -> str:
    return f"• {_t(description)}: /{name}"


INTRO = _t("Loa Làng helps you learn your rights, send feedback to your ward, and follow the answer.")
HINT = _t("You can type without diacritics, for example: gop y, huy, tro giup.")
FEEDBACK = [
    _t("Send feedback and follow it"),
    _line("Send feedback, a petition, a complaint or a denunciation", "feedback"),
    _line("Your petitions and their status", "mine"),
    _line("Look up a petition by its tracking code", "status"),
    _line("Answered petitions published in your ward", "public"),
]
LEARN = [
    _t("Learn your rights"),
    _line("Learn your rights, one short lesson at a time", "learn"),
    _line("Stop receiving lessons (notices still come)", "stop"),
    _line("Receive lessons again", "resume"),
]
NOTICES = [_t("Notices for your area"), _line("Recent notices for your area", "notices")]
DECIDE = [
    _t("Village decisions"),
    _line("Your household", "household"),
    _line("Votes of your village and your household's vote", "votes"),
    _line("Drafts open for your comments", "consult"),
    _line("Meetings of your village", "meetings"),
]
DISCLOSURES = [_t("What the commune has made public"), _line("What the commune has made public", "congkhai")]
PROFILE = [
    _t("Your profile and your data"),
    _line("Start, or set up your profile again", "start"),
    _line("See and change your profile", "profile"),
    _line("Choose your language", "language"),
    _line("See all the personal data we hold about you", "mydata"),
    _line("Withdraw consent and erase your data", "forget"),
    _line("Take up a role with an invite code", "join"),
]
AROUND = [
    _t("Menu and help"),
    _line("Main menu", "menu"),
    _line("What this bot can do for you", "help"),
    _line("Stop what you are doing", "cancel"),
]


def _blocks(*sections: list[str]) -> str:
    return "\n\n".join(["\n".join(s) for s in ([INTRO], *sections, [HINT])])


async def test_a_resident_sees_groups_in_plain_words(world: World) -> None:
    chat = world.chat("resident")
    await chat.say("/help")
    assert chat.last[0].text == _blocks(FEEDBACK, LEARN, NOTICES, DISCLOSURES, DECIDE, PROFILE, AROUND)


async def test_an_official_sees_their_work_first(world: World) -> None:
    chat = world.chat("official_a")
    await chat.say("/help")
    work = [
        _t("For your work"),
        _line("Sign in to the web dashboard", "dashboard"),
        _line("Petitions waiting for your unit", "queue"),
        _line("Send a notice to residents", "notice"),
        _line("Quiz results per village", "quizstats"),
        _line("Post or manage what the ward makes public", "disclose"),
        _line("Households waiting for you", "households"),
        _line("Put a matter to the village's households", "decide"),
        _line("Announce a village meeting, see who will come, publish the minutes", "meeting"),
    ]
    assert chat.last[0].text == _blocks(work, FEEDBACK, LEARN, NOTICES, DISCLOSURES, DECIDE, PROFILE, AROUND)


async def test_an_inspector_sees_what_they_can_inspect(world: World) -> None:
    chat = world.chat("inspector_a")
    await chat.say("/help")
    work = [
        _t("For your work"),
        _line("Sign in to the web dashboard", "dashboard"),
        _line("Petitions waiting for your unit", "queue"),
        _line("Post or manage what the ward makes public", "disclose"),
    ]
    assert chat.last[0].text == _blocks(work, FEEDBACK, LEARN, NOTICES, DISCLOSURES, DECIDE, PROFILE, AROUND)


async def test_without_consent_help_leaves_out_what_needs_it(world: World) -> None:
    chat = world.new_chat()
    await chat.say("/start")
    await chat.press("Tôi không đồng ý")
    await chat.say("/help")
    feedback = [line for line in FEEDBACK if "/feedback" not in line]
    profile = [line for line in PROFILE if "/profile" not in line]
    assert chat.last[0].text == _blocks(feedback, LEARN, NOTICES, DISCLOSURES, profile, AROUND)
    assert chat.buttons()[0] == _t("Read and agree")
