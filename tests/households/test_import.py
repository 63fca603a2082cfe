"""``loalang households import FILE.csv``: the documented format, codes printed per row, a second
import updates by number, bad rows give one clear error; the first adult to join an imported
household with its code represents it."""

from __future__ import annotations

import argparse

import pytest
from sqlmodel import select

from bot.core.errors import ConfigError
from handlers.framework import CliContext
from handlers.households import cli
from storage.households import queries, services
from storage.households.models import Household
from storage.people.models import Person


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    cli.configure(p)
    return p.parse_args(list(argv))


async def test_import_then_join_with_the_printed_code(world, session_factory, tmp_path, capsys):
    f = tmp_path / "ngoc_son.csv"
    f.write_text(
        "village,number,head_name,size\n13384-T04,01,Nguyễn Văn An,5\n13384-T04,02,Lê Văn Bảy,3\n", encoding="utf-8"
    )
    assert await cli.run(CliContext(world.services), _args("import", str(f))) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "2 households created, 0 updated"
    code = out[0].split(",")[2]
    async with session_factory() as s:
        rows = list(await s.exec(select(Household).order_by(Household.number)))
    assert [(h.number, h.head_name, h.size, h.status, h.source) for h in rows] == [
        ("01", "Nguyễn Văn An", 5, "confirmed", "import"),
        ("02", "Lê Văn Bảy", 3, "confirmed", "import"),
    ]
    # again, with a changed size and no village column: updated, same code
    g = tmp_path / "again.csv"
    g.write_text("number,head_name,size\n01,Nguyễn Văn An,6\n", encoding="utf-8")
    assert await cli.run(CliContext(world.services), _args("import", str(g), "--village", "13384-T04")) == 0
    assert capsys.readouterr().out.splitlines() == [f"13384-T04,01,{code}", "0 households created, 1 updated"]

    chat = world.chat("resident")
    await chat.say("/household")
    await chat.press("Tham gia bằng mã")
    await chat.say(code)
    await chat.press("Có")
    assert "là đại diện hộ" in chat.text
    async with session_factory() as s:
        hh = (await s.exec(select(Household).where(Household.code == code))).one()
        rep = await queries.current_representative(s, hh.id)
        assert rep is not None and rep.person_id == world.ids["resident"]
        # the next adult joins as a member only
        nb = await s.get(Person, world.ids["neighbour"])
        await services.join(s, nb, code, adult=True)
        rep = await queries.current_representative(s, hh.id)
        assert rep.person_id == world.ids["resident"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("village,number,head_name\n13384,01,X\n", "not a current village"),
        ("village,number,head_name\n13384-T04,,X\n", "required"),
        ("village,number,head_name,size\n13384-T04,01,X,năm\n", "not a number"),
    ],
)
async def test_bad_rows_are_one_clear_error(world, tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        await cli.run(CliContext(world.services), _args("import", str(f)))
