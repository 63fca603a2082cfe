"""The ``loalang`` command as an operator uses it: clear one-line errors, invites, users, and a
server that answers /healthz within 3 seconds of start."""

from __future__ import annotations

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
    assert {k.split(".")[0] for k in keys} == {"people", "petitions", "notices", "learning"}
    received = next(ln for ln in lines if ln.endswith("petitions.received"))
    assert received.startswith("Số ý kiến nhận được") and received.split()[-2] == "0"
    bad = run_cli("stats", "--unit", "99999", env=db_env)
    assert bad.returncode == 2 and "--unit 99999" in bad.stderr and "Traceback" not in bad.stderr
