"""The ``loalang`` command as an operator uses it: clear one-line errors, invites, users, and a
server that answers /healthz within 3 seconds of start."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        cwd=env.get("CWD", str(ROOT)),
    )


@pytest.fixture
def db_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    if database_url.startswith("sqlite"):
        return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    return {"DATABASE_URL": database_url}


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "ftp:/x"}, "TELEGRAM_API_BASE_URL"),
        ({"HTTP_PORT": "99999"}, "HTTP_PORT"),
        ({"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"DEPLOYMENT": "atlantis"}, "DEPLOYMENT"),
        ({"DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}, "DATABASE_URL"),
    ],
)
def test_bad_setting_gives_one_clear_line(env: dict[str, str], name: str) -> None:
    res = run_cli("db", "upgrade", env=env)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in res.stderr, res.stderr


def test_invite_prints_code_last_and_units_list(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("units", "list", env=db_env)
    assert res.returncode == 0, res.stderr
    assert "13435" in res.stdout and "Lý Thường Kiệt" in res.stdout
    res = run_cli("invite", "--role", "official", "--unit", "13384", env=db_env)
    assert res.returncode == 0, res.stderr
    code = res.stdout.strip().splitlines()[-1]
    assert len(code.replace("-", "")) == 12
    bad = run_cli("invite", "--role", "official", "--unit", "99999", env=db_env)
    assert bad.returncode == 2 and "--unit" in bad.stderr
    res = run_cli("users", "list", env=db_env)
    assert res.returncode == 0 and "role" in res.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_answers_healthz_quickly_and_stops_cleanly(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **db_env, "HTTP_PORT": str(port)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        while time.monotonic() - start < 15:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        elapsed = time.monotonic() - start
        assert body is not None, "no /healthz answer"
        assert '"ok": true' in body or '"ok":true' in body
        assert elapsed < 10  # the 3-second target is measured in benchmarks/bench_inbound.py
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out


def test_stats_prints_every_feature_figure_once(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    from handlers.features import MANIFESTS

    res = run_cli("stats", "--unit", "13384", "--year", "2026", env=db_env)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "Kim Bảng (13384), 2026"
    keys = [ln.split()[-1] for ln in lines[1:]]
    expected = [k for k in keys if k.split(".")[0] in {m.name for m in MANIFESTS}]
    assert keys == expected and len(keys) == len(set(keys))
    assert {k.split(".")[0] for k in keys} == {"people", "petitions", "notices", "learning", "disclosures"}
    received = next(ln for ln in lines if ln.endswith("petitions.received"))
    assert received.startswith("Số ý kiến nhận được") and received.split()[-2] == "0"
    bad = run_cli("stats", "--unit", "99999", env=db_env)
    assert bad.returncode == 2 and "--unit 99999" in bad.stderr and "Traceback" not in bad.stderr


def _all_parsers(parser: argparse.ArgumentParser, path: str = "loalang") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _all_parsers(child, f"{path} {name}")
    return found


def test_every_option_of_every_command_is_described() -> None:
    from bot.cli import _build

    undescribed = [
        f"{path} {action.option_strings[-1]}"
        for path, parser in _all_parsers(_build())
        for action in parser._actions
        if action.option_strings and not (action.help or "").strip()
    ]
    assert undescribed == []


def test_help_lists_the_roles_the_address_and_where_settings_come_from() -> None:
    roles = "village_head, official, unit_head, inspector, district_admin"
    for args in (("invite", "--help"), ("users", "grant", "--help")):
        out = " ".join(run_cli(*args, env={}).stdout.split())
        assert all(f"{r} (" in out for r in roles.split(", ")), out
    for cmd in ("run", "demo"):
        out = " ".join(run_cli(cmd, "--help", env={}).stdout.split())
        assert "http://127.0.0.1:8080/" in out and "environment or a .env file" in out, out
    demo = " ".join(run_cli("demo", "--help", env={}).stdout.split())
    assert "own database, DATA_DIR/demo.db (default data/demo.db), never DATABASE_URL" in demo
    grant = " ".join(run_cli("users", "grant", "--help", env={}).stdout.split())
    assert "/mydata" in grant and "Tài khoản trò chuyện: <channel> <id>" in grant


def test_version() -> None:
    from importlib.metadata import version

    res = run_cli("--version", env={})
    assert res.returncode == 0 and res.stdout.strip() == f"loalang {version('loalang')}"


def test_invite_prints_the_telegram_deep_link_when_the_bot_is_known(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("invite", "--role", "official", "--unit", "13384", "--bot-username", "@LoaLangBot", env=db_env)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    code = lines[-1]
    assert lines[-2] == f"On Telegram they can open this link instead: https://t.me/LoaLangBot?start={code}"
    res = run_cli(
        "invite", "--role", "village_head", "--unit", "13384-T04", env={**db_env, "TELEGRAM_BOT_USERNAME": "KimBangBot"}
    )
    lines = res.stdout.strip().splitlines()
    assert lines[-2] == f"On Telegram they can open this link instead: https://t.me/KimBangBot?start={lines[-1]}"
    res = run_cli("invite", "--role", "official", "--unit", "13384", env=db_env)
    assert (
        res.stdout.strip().splitlines()[-2]
        == "(For a Telegram link, give --bot-username or set TELEGRAM_BOT_USERNAME.)"
    )
    bad = run_cli("invite", "--role", "official", "--unit", "13384", "--bot-username", "no way", env=db_env)
    assert bad.returncode == 2 and "--bot-username" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("invite", "--role", "mayor", "--unit", "13384", env=db_env)
    assert bad.returncode == 2 and "village_head" in bad.stderr


def test_units_list_into_a_closed_pipe_prints_no_traceback(db_env: dict[str, str], engine) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **db_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "units", "list", "--history"],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has already left
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141


def test_demo_uses_its_own_database(db_env: dict[str, str], tmp_path: Path, engine) -> None:  # type: ignore[no-untyped-def]
    env = {**db_env, "DATA_DIR": str(tmp_path / "files")}
    res = run_cli("demo", "--no-run", env=env)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "files" / "demo.db").is_file()
    main = run_cli("users", "list", env=env)
    assert main.returncode == 0 and "demo-persona" not in main.stdout
    demo = run_cli(
        "users", "list", env={**env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'files' / 'demo.db'}"}
    )
    assert demo.stdout.count("demo-persona-") == 4
