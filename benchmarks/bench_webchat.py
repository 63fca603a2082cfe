"""Web chat load benchmark: N concurrent browser sessions over WebSockets against a real server
running in a subprocess (SQLite by default), each sending M messages through the real flows
(/start, consent button, ward typed, village button, skip phone, then /help, /menu, free text).

Reports messages/s, p50/p95/p99 reply latency (send → ack, which follows every reply frame) and the
server's peak RSS. Targets: p99 < 200 ms on SQLite, RSS < 200 MB.

    .venv/bin/python benchmarks/bench_webchat.py [--sessions 200] [--messages 20] [--think 0.5] [--quick]
    --think: mean pause between a reply and the next message (seconds; 0 = as fast as possible)
    --ramp: sessions start spread over this many seconds
    --profile: run the server under cProfile and print its top functions
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- server side (subprocess) -------------------------------------------------------------------
async def serve(db_url: str, upload_dir: str) -> None:
    from aiohttp import web
    from sqlalchemy import create_engine as sync_engine
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401
    from bot.channels.webchat import WebChatChannel
    from bot.channels.webchat_limits import RateLimiter
    from bot.config import load_settings
    from bot.dispatch import Dispatcher
    from bot.outbox import OutboxSender
    from bot.web import security_headers
    from handlers.framework.services import Services
    from storage import units
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade

    await upgrade(db_url)
    if db_url.startswith("sqlite"):  # tables of features without a migration yet
        SQLModel.metadata.create_all(sync_engine(db_url.replace("+aiosqlite", "")))
    settings = load_settings(database_url=db_url, secret_key="bench")
    engine = create_engine(db_url)
    factory = session_factory(engine)
    async with factory() as s:
        await units.load_deployment_units(s, settings.deployment, settings.deployment_dir / "units.yaml")
        await s.commit()
    services = Services(
        session_factory=factory,
        deployment=settings.deployment,
        deployment_dir=settings.deployment_dir,
        default_locale="vi",
        tz=settings.tz,
    )
    # Every simulated browser comes from 127.0.0.1: lift the per-IP limit (the per-identity one stays).
    dispatcher = Dispatcher(services)
    web_app = web.Application(middlewares=[security_headers])
    channel = WebChatChannel(
        dispatcher, settings, web_app, factory, rate_limiter=RateLimiter(per_ip=(10**9, 1.0)), upload_dir=upload_dir
    )
    sender = OutboxSender(factory, {"web": channel})
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await channel.start()
    await sender.start()
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # the parent closes stdin to stop us
    await sender.stop()
    await channel.stop()
    await runner.cleanup()
    await engine.dispose()


# --- client side --------------------------------------------------------------------------------
SCRIPT = ["/start", "button:0", "Kim Bảng", "button:0", "button:-1"]
TAIL = ["/help", "/menu", "xin chào", "/language vi", "thôn tôi đèn đường hỏng"]


async def session(url: str, n: int, think: float, latencies: list[float], errors: list[str], ramp: float = 0.0) -> None:
    import aiohttp

    await asyncio.sleep(random.uniform(0, ramp))  # people arrive over a few seconds, not in one millisecond

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # noqa: SIM117 (the socket body is long)
        async with http.ws_connect(url + "/ws", max_msg_size=0) as ws:
            await ws.send_json({"type": "hello", "after": 0, "lang": "vi"})
            while (await ws.receive_json())["type"] != "ready":
                pass
            buttons: list[dict[str, str]] = []
            for i in range(n):
                step = SCRIPT[i] if i < len(SCRIPT) else TAIL[i % len(TAIL)]
                cid = uuid.uuid4().hex
                if step.startswith("button:") and buttons:
                    b = buttons[int(step.split(":")[1])]
                    frame = {"type": "button", "id": cid, "data": b["data"], "label": b["label"]}
                else:
                    frame = {"type": "text", "id": cid, "text": step if not step.startswith("button:") else "/menu"}
                t0 = time.perf_counter()
                await ws.send_json(frame)
                while True:
                    f = await ws.receive_json(timeout=60)
                    if f["type"] == "message" and f.get("buttons"):
                        buttons = [b for row in f["buttons"] for b in row]
                    if f["type"] == "error":
                        errors.append(f["code"])
                    if f.get("client_id") == cid and f["type"] in ("ack", "error"):
                        break
                latencies.append(time.perf_counter() - t0)
                if think:
                    await asyncio.sleep(random.uniform(0, 2 * think))


async def sample_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    import psutil

    proc = psutil.Process(pid)
    while not stop.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss)
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except TimeoutError:
            pass


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-webchat-"))
    db_url = args.database_url or f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    cmd = [sys.executable]
    if args.profile:
        cmd += ["-m", "cProfile", "-o", str(tmp / "server.prof")]
    cmd += [str(Path(__file__).resolve()), "--serve", db_url, str(tmp / "uploads")]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    port = json.loads(proc.stdout.readline())["port"]
    url = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors: list[str] = []
    peak = [0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(proc.pid, peak, stop))
    t0 = time.perf_counter()
    results = await asyncio.gather(
        *(session(url, args.messages, args.think, latencies, errors, args.ramp) for _ in range(args.sessions)),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - t0
    stop.set()
    await sampler
    proc.stdin.close()
    proc.wait(timeout=60)
    failed = [r for r in results if isinstance(r, BaseException)]
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    out = {
        "sessions": args.sessions,
        "messages_per_session": args.messages,
        "think_s": args.think,
        "ramp_s": args.ramp,
        "messages": len(latencies),
        "seconds": round(elapsed, 2),
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
        "server_peak_rss_mb": round(peak[0] / 2**20, 1),
        "errors": errors[:5],
        "failed_sessions": len(failed),
        "database": db_url.split(":", 1)[0],
    }
    if failed:
        out["first_failure"] = repr(failed[0])[:300]
    if args.profile:
        import pstats

        pstats.Stats(str(tmp / "server.prof")).sort_stats("cumulative").print_stats(35)
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        asyncio.run(serve(sys.argv[2], sys.argv[3]))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=200)
    p.add_argument("--messages", type=int, default=20)
    p.add_argument("--think", type=float, default=0.5)
    p.add_argument("--ramp", type=float, default=5.0, help="sessions start spread over this many seconds")
    p.add_argument("--quick", action="store_true", help="20 sessions × 8 messages")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = p.parse_args()
    if args.quick:
        args.sessions, args.messages = 20, 8
    res = asyncio.run(run(args))
    print(json.dumps(res, ensure_ascii=False, indent=2))
    ok = res["p99_ms"] < 200 and res["server_peak_rss_mb"] < 200 and not res["failed_sessions"]
    print("targets (p99 < 200 ms, RSS < 200 MB):", "met" if ok else "MISSED")
    return 0 if not res["failed_sessions"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
