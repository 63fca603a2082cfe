"""Petition submission through the Telegram channel (figures, not a test).

    python benchmarks/bench_submit.py [--residents 100] [--rate 20] [--latency 0]

Each resident is onboarded first (not measured), then sends a phản ánh through the real
``TelegramChannel`` against the fake Bot API (polling, SQLite, real dispatcher and flows):
/feedback → route → continue → category → own village → description → no files → named →
publish → submit. Reported: p50/p99 latency from pushing each update to its first reply, for every
step and for the submit step alone (target p99 < 300 ms), and the petitions created (must equal
the residents: nothing lost, nothing twice).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from aiohttp import web  # noqa: E402

from benchmarks.bench_inbound import CONNECTIONS, TOKEN, Pacer, Recorder, _button  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

WORDS = [
    "đường",
    "cống",
    "rãnh",
    "đèn",
    "điện",
    "nước",
    "rác",
    "thải",
    "bụi",
    "tiếng",
    "ồn",
    "ngập",
    "lụt",
    "cầu",
    "cống",
    "trường",
    "học",
    "trạm",
    "y",
    "tế",
    "chợ",
    "đất",
    "đai",
    "xây",
    "dựng",
    "trái",
    "phép",
    "hàng",
    "quán",
    "lấn",
    "chiếm",
    "vỉa",
    "hè",
    "cây",
    "xanh",
    "đổ",
    "mương",
    "máng",
    "tưới",
    "tiêu",
    "bờ",
    "kè",
    "sạt",
    "lở",
    "xe",
    "tải",
    "chở",
    "quá",
    "tải",
    "khói",
    "đốt",
    "rơm",
    "rạ",
    "chó",
    "thả",
    "rông",
    "an",
    "ninh",
    "trộm",
    "cắp",
]
WARDS = ("xa thanh son", "kim bang", "le ho", "tam chuc", "nguyen uy", "kim thanh")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


async def main(residents: int, rate: float | None, latency: float) -> None:
    from sqlmodel import func, select

    from bot.channels.telegram import TelegramChannel
    from bot.config import load_settings
    from bot.dispatch import Dispatcher
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade
    from storage.petitions.models import Case
    from tests.world import make_services

    tmp = tempfile.mkdtemp(prefix="loalang-submit-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    await upgrade(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    services = await make_services(factory)
    rnd = random.Random(7)
    steps_lat: list[float] = []
    submit_lat: list[float] = []
    async with FakeTelegramAPI(token=TOKEN, latency=latency) as fake:
        rec = Recorder(fake)
        settings = load_settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=f"{fake.url}/bot",
            telegram_file_base_url=f"{fake.url}/file/bot",
            database_url=url,
        )
        ch = TelegramChannel(Dispatcher(services), settings, web.Application(), connections=CONNECTIONS)
        await ch.start()
        pacer = Pacer(rate)

        async def push(update: dict[str, Any], user: int, into: list[float] | None) -> None:
            if into is not None:
                await pacer.wait()
            n = len(rec.by_chat[user])
            t0 = time.monotonic()
            fake.push_update(update)
            await rec.wait(user, n + 1)
            if into is not None:
                into.append(rec.by_chat[user][n]["time"] - t0)
            await asyncio.sleep(0.05)  # let the rest of the step's messages arrive

        async def press(user: int, pick: Callable[[str, str], bool], tries: int = 40) -> dict[str, Any]:
            for _ in range(tries):  # the step's last message may still be on its way
                try:
                    return fake.make_callback_update(user, _button(rec.by_chat[user], pick))
                except RuntimeError:
                    await asyncio.sleep(0.05)
            return fake.make_callback_update(user, _button(rec.by_chat[user], pick))

        async def tap(user: int, prefix: str, tries: int = 40) -> dict[str, Any]:
            """A reply-keyboard button (phone and place questions): the tap sends its label as text."""
            for _ in range(tries):
                for r in reversed(rec.by_chat[user]):
                    for row in (r.get("reply_markup") or {}).get("keyboard", []):
                        for b in row:
                            label = b["text"] if isinstance(b, dict) else str(b)
                            if label.startswith(prefix):
                                return fake.make_text_update(user, label)
                await asyncio.sleep(0.05)
            raise RuntimeError(f"no reply-keyboard button {prefix!r}")

        async def onboard(user: int) -> None:
            await push(fake.make_command_update(user, "start"), user, None)
            await push(await press(user, lambda t, d: d.endswith(":yes")), user, None)
            await push(fake.make_text_update(user, rnd.choice(WARDS)), user, None)
            await push(await press(user, lambda t, d: t.startswith(("Thôn", "Tổ"))), user, None)
            await push(await tap(user, "Bỏ qua"), user, None)

        async def submit(user: int) -> None:
            text = " ".join(rnd.sample(WORDS, 14)).capitalize() + f" (hộ số {user})."
            await push(fake.make_command_update(user, "feedback"), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Phản ánh")), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Tiếp tục")), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Giao thông")), user, steps_lat)
            await push(await tap(user, "Thôn của tôi"), user, steps_lat)
            await push(fake.make_text_update(user, text), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Bỏ qua")), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Gửi có ghi tên")), user, steps_lat)
            await push(await press(user, lambda t, d: t.startswith("Đồng ý, công khai")), user, steps_lat)
            await push(await press(user, lambda t, d: t == "Gửi"), user, submit_lat)
            if any(
                "Vẫn gửi" in b["text"]
                for r in rec.by_chat[user][-2:]
                for row in (r.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ):
                await push(await press(user, lambda t, d: t.startswith("Vẫn gửi")), user, submit_lat)

        users = list(range(300_001, 300_001 + residents))
        await asyncio.gather(*(onboard(u) for u in users))
        t0 = time.monotonic()
        await asyncio.gather(*(submit(u) for u in users))
        elapsed = time.monotonic() - t0
        await ch.stop()
    async with factory() as s:
        created = (await s.exec(select(func.count()).select_from(Case))).one()
    await engine.dispose()
    print(f"{residents} residents, offered {rate or 'unpaced'} updates/s, fake API latency {latency * 1000:.0f} ms")
    print(
        f"  all flow steps: {len(steps_lat) + len(submit_lat)} updates in {elapsed:.1f}s; "
        f"p50 {pct(steps_lat, 0.5):.1f} ms, p99 {pct(steps_lat, 0.99):.1f} ms"
    )
    print(
        f"  submit step:    p50 {pct(submit_lat, 0.5):.1f} ms, p99 {pct(submit_lat, 0.99):.1f} ms"
        "  (target p99 < 300 ms)"
    )
    print(f"  petitions created: {created} of {residents}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--residents", type=int, default=100)
    ap.add_argument("--rate", type=float, default=20.0, help="offered updates/s during the submissions (0: unpaced)")
    ap.add_argument("--latency", type=float, default=0.0, help="fake Bot API latency in seconds")
    a = ap.parse_args()
    asyncio.run(main(a.residents, a.rate or None, a.latency))
