"""Settings read from the environment (and an optional ``.env``); the names are a public contract."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError

DEPLOYMENTS_DIR = Path(__file__).resolve().parent / "deployments"
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{10,100}$")
SUPPORTED_LOCALES = ("vi", "en")


class Settings(BaseSettings):
    """Every setting the bot reads; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite+aiosqlite:///./data/loalang.db")
    # PostgreSQL connections this process may hold: pool + overflow. With N processes keep
    # N × (DB_POOL_SIZE + DB_MAX_OVERFLOW) below the server's max_connections (default 100).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    telegram_bot_token: str | None = None
    telegram_bot_username: str | None = None  # e.g. "LoaLangKimBangBot": loalang invite prints its deep link
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    # Outbox messages/s for the whole deployment (one elected process sends on PostgreSQL).
    telegram_send_rate: float = Field(default=30.0, gt=0, le=1000)
    # Telegram's paid broadcast (Stars on the bot's balance): up to this many/s; sends beyond
    # TELEGRAM_SEND_RATE carry allow_paid_broadcast. Unset: never pay.
    telegram_paid_broadcast_rate: float | None = Field(default=None, gt=0, le=1000)
    # setWebhook's max_connections: updates Telegram delivers at once (1-100); spread over the workers.
    telegram_webhook_max_connections: int = Field(default=40, ge=1, le=100)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    deployment: str = "kim_bang"
    secret_key: str | None = None
    webchat_enabled: bool = True
    webchat_frame_ancestors: str | None = None  # e.g. "https://kimbang.ninhbinh.gov.vn"; unset: any site may embed
    data_dir: Path = Path("data")  # uploads and other files
    trusted_proxies: str = ""  # comma-separated peer addresses whose X-Forwarded-For is believed
    zalo_app_id: str | None = None
    zalo_app_secret: str | None = None
    zalo_oa_secret_key: str | None = None
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_max_buttons: int = Field(default=5, ge=1, le=10)
    zalo_button_type: str = "oa.query.hide"
    zalo_button_template_type: str | None = None
    zalo_quote_field: str | None = "quote_message_id"
    zalo_notice_quota_per_day: int | None = Field(default=None, ge=0)
    zalo_replay_window_seconds: int = Field(default=600, ge=10)
    zalo_interaction_window_seconds: int = Field(default=7 * 86400, ge=3600)
    # --- dashboard ---
    public_base_url: str | None = None  # e.g. "https://loalang.kimbang.gov.vn"; unset: http://HTTP_HOST:HTTP_PORT
    # --- printed poster (dashboard) ---
    zalo_oa_id: str | None = None  # the Zalo Official Account's id: the poster's QR code opens https://zalo.me/<id>

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        v = v.strip()
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+asyncpg://" + v.split("://", 1)[1]
        if v.startswith("sqlite:///"):
            v = "sqlite+aiosqlite:///" + v[len("sqlite:///") :]
        if not re.match(r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://", v):
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        return v

    @field_validator(
        "telegram_bot_token",
        "telegram_bot_username",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "zalo_app_id",
        "zalo_app_secret",
        "zalo_oa_secret_key",
        "secret_key",
        "public_base_url",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("telegram_bot_username")
    @classmethod
    def _username(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().removeprefix("@")
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]{3,31}$", v):
            raise ValueError("is not a Telegram username (5 to 32 letters, digits or _, as @BotFather shows it)")
        return v

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, v: str | None) -> str | None:
        if v is not None and not _TOKEN_RE.match(v.strip()):
            raise ValueError("is not a bot token of the form 123456:ABC-def (ask @BotFather)")
        return v.strip() if v else v

    @field_validator(
        "telegram_api_base_url",
        "telegram_file_base_url",
        "telegram_webhook_url",
        "zalo_api_base_url",
        "zalo_oauth_base_url",
        "public_base_url",
    )
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not re.match(r"^https?://[^\s/]+", v.strip()):
            raise ValueError("is not an http(s) URL")
        return v.strip().rstrip("/")

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[A-Za-z0-9_-]{1,256}$", v):
            raise ValueError("may only contain A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone such as Asia/Ho_Chi_Minh") from None
        return v

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        if v not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return v

    @field_validator("deployment")
    @classmethod
    def _deployment(cls, v: str) -> str:
        if not (DEPLOYMENTS_DIR / v).is_dir():
            known = ", ".join(
                sorted(p.name for p in DEPLOYMENTS_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
            )
            raise ValueError(f"names no deployment folder (known: {known})")
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def deployment_dir(self) -> Path:
        return DEPLOYMENTS_DIR / self.deployment

    @property
    def base_url(self) -> str:
        """The address people reach this server at (links sent in the chat): ``PUBLIC_BASE_URL``."""
        return self.public_base_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises ConfigError naming the environment variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "?"
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name} {msg}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
