"""``loalang zalo set-tokens`` and ``loalang zalo status`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'z.db'}" if database_url.startswith("sqlite") else database_url
    for k, v in {
        "DATABASE_URL": url,
        "ZALO_APP_ID": "998877",
        "ZALO_APP_SECRET": "s",
        "ZALO_OA_SECRET_KEY": "k",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_set_tokens_then_status(env: None, engine: object, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "zalo", "status")
    assert code == 1 and "set-tokens" in out
    code, out, err = run(
        capsys,
        "zalo",
        "set-tokens",
        "--access-token",
        "AT-abcdefgh1234",
        "--refresh-token",
        "RT-zyx98765",
        "--expires-in",
        "7200",
    )
    assert code == 0, err
    assert "998877" in out and "AT-abcdefgh1234" not in out
    code, out, err = run(capsys, "zalo", "status")
    assert code == 0, err
    assert "…1234" in out and "valid for 1 h" in out and "RT-zyx98765" not in out


def test_missing_app_id_is_one_clear_line(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZALO_APP_ID", "")
    code, _, err = run(capsys, "zalo", "status")
    assert code == 2 and err.strip().count("\n") == 0 and "ZALO_APP_ID" in err
