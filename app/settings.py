"""Configuration from the environment (and an optional `.env` file)."""

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'app.db'}"
    # When set, Reflex keeps page state in Redis and runs several backend workers.
    redis_url: str | None = None
    port: int = 3000
    # Comma-separated origins allowed to open the websocket; default: this machine on PORT.
    allowed_origins: str = ""

    session_hours: int = 12
    login_window_minutes: int = 15
    login_max_failures_per_mobile: int = 5
    login_max_failures_per_client: int = 20
    # Sign-ups refused because the number has an account, per client in the login window: the
    # refusal tells whether a number is registered, so a client may not ask about many.
    signup_max_refusals_per_client: int = 10
    # Reverse proxies in front of the app that append the address they received from to
    # X-Forwarded-For: the client is that many entries from the right. 0 (no proxy): the
    # connection's own address, and X-Forwarded-For (which anyone can send) is ignored.
    trusted_proxy_hops: int = 0

    # A roster file between its upload and its import: private (never served), deleted once
    # imported or cancelled, and by housekeeping when left untouched for an hour.
    upload_dir: Path = PROJECT_ROOT / "data" / "uploads"

    # Signs the personal codes (个人码) that residents show at sampling sites and gates. Set it
    # on every worker of a deployment; unset, one is generated once into `pass_secret_file`.
    pass_secret: str = ""
    pass_secret_file: Path = PROJECT_ROOT / "data" / "pass_secret"

    # Browser tests only: a file the app appends each event handler and API route it ran to.
    event_log: Path | None = None

    default_locale: str = "zh"
    timezone: str = "Asia/Shanghai"

    def pass_key(self) -> bytes:
        """The key of personal codes: PASS_SECRET, else the one kept in `pass_secret_file`
        (made on first use, readable by this user only)."""
        if self.pass_secret:
            return self.pass_secret.encode()
        return _kept_secret(self.pass_secret_file).encode()

    @property
    def origins(self) -> list[str]:
        given = [o.strip() for o in self.allowed_origins.split(",") if o.strip()]
        return given or [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]


def _kept_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two workers start at once, one writes and the other reads its secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        secret = secrets.token_hex(32)
        out.write(secret)
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()
