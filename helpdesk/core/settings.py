"""Settings read once from the environment, validated at start-up."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 (refused in production)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("development", "test", "production")
# SQLite's driver: our one-hop wrapper over aiosqlite's internals (core/sqlite_driver.py), or
# plain aiosqlite through SQLAlchemy's adapter, the fallback when an aiosqlite release breaks it.
SQLITE_DRIVERS = ("custom", "stock")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _proxy_networks(raw: str) -> list[str]:
    """TRUSTED_PROXIES as a list of addresses or networks; anything else is refused."""
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                "TRUSTED_PROXIES must list IP addresses or networks (e.g. 10.0.0.5,10.1.0.0/16), "
                f"got {entry!r}"
            ) from None
    return entries


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'helpdesk.sqlite3'}"
    sqlite_driver: str = "custom"
    base_url: str = "http://127.0.0.1:8000"
    session_https_only: bool = False
    session_max_age: int = 8 * 3600
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For/-Proto are believed,
    # comma-separated; empty (the default): no forwarded header is believed, from anywhere.
    trusted_proxies: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout: int = 10
    mail_from: str = "Portal de Ayuda <no-responder@portal-ayuda.example>"
    # The OIRS listener (docs/mail.md): the authserv-ids of our own mail servers, whose
    # Authentication-Results it believes (comma-separated; empty: none), and each request's
    # secret reply address, <local>+<folio>.<token>@<domain> (empty domain: no Reply-To).
    inbound_trusted_authserv_ids: str = ""
    reply_address_local: str = "respuestas"
    reply_address_domain: str = ""
    mail_catcher: bool = False
    mail_catcher_dir: str = str(PROJECT_ROOT / "var" / "mail")
    kb_index_dir: str = str(PROJECT_ROOT / "var" / "kb-index")
    # Where uploaded files' bytes go: "local:/a/folder" (one host's disk: development, tests)
    # or "database" (every host shares them; production's default). helpdesk/tickets/file_storage.py
    attachment_storage: str = f"local:{PROJECT_ROOT / 'var' / 'attachments'}"
    run_worker: bool = False
    worker_poll_seconds: float = 1.0
    # Supervisors' deadline alerts: how often the worker looks (0: never) and how many días
    # hábiles ahead of a legal due date it warns.
    deadline_alert_minutes: int = 15
    deadline_alert_days: int = 2
    # Scheduled lifecycle work (tickets/lifecycle): how often the worker looks (0: never),
    # and after how many días hábiles untouched by the person a resolved request is closed.
    lifecycle_minutes: int = 60
    auto_close_working_days: int = 7
    # Appointments (helpdesk/appointments): how many days ahead people may book (from
    # tomorrow), and how often the worker looks for tomorrow's reminders (0: never).
    appointment_window_days: int = 30
    appointment_reminder_minutes: int = 15
    claveunica_client_id: str = ""
    claveunica_client_secret: str = ""
    claveunica_metadata_url: str = (
        "https://accounts.claveunica.gob.cl/openid/.well-known/openid-configuration"
    )
    claveunica_logout_url: str = "https://accounts.claveunica.gob.cl/api/v1/accounts/app/logout"
    # Development only: `serve` starts a local ClaveÚnica look-alike and points the settings
    # above at it (helpdesk/dev/claveunica.py); production refuses it.
    dev_claveunica: bool = False
    staff_oidc_client_id: str = ""
    staff_oidc_client_secret: str = ""
    staff_oidc_metadata_url: str = ""
    # Sign-in throttling (accounts/signin.py): after this many failures in a row for one
    # email, or from one address, each further attempt waits 1, 2, 4 ... seconds, up to the cap.
    login_max_failures: int = 5
    login_address_max_failures: int = 20
    login_max_delay_seconds: int = 300
    login_rate_per_minute: int = 20
    # Application-status lookups (cases/lookup.py) per address and per application number, per
    # hour: enough for a family at one address, too few to guess documents or numbers.
    case_lookups_per_address: int = 30
    case_lookups_per_number: int = 10
    load_demo: bool = False
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Request bodies, refused with 413 (size) or 400 (shape) before a handler sees them
    # (core/body_limits.py). A form with files may carry the largest legitimate upload, five
    # 10 MiB attachments (tickets/attachments.py; create_app checks it still fits); any other
    # body is smaller: the largest, a knowledge-base guide (30 steps of 10,000 characters,
    # up to 9 bytes each once percent-encoded), stays under 5 MiB.
    max_upload_body_bytes: int = 56 * 1024 * 1024
    max_body_bytes: int = 8 * 1024 * 1024
    max_form_fields: int = 1000
    max_form_files: int = 20
    max_form_field_bytes: int = 1024 * 1024
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def attachment_folder(self) -> Path | None:
        """The local folder of ATTACHMENT_STORAGE=local:..., None for the database."""
        if self.attachment_storage == "database":
            return None
        return Path(self.attachment_storage.removeprefix("local:").strip())

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _proxy_networks(self.trusted_proxies)

    @property
    def claveunica_enabled(self) -> bool:
        return bool(self.claveunica_client_id and self.claveunica_metadata_url)

    @property
    def staff_oidc_enabled(self) -> bool:
        return bool(self.staff_oidc_client_id and self.staff_oidc_metadata_url)

    def __post_init__(self) -> None:
        if self.app_env not in ENVIRONMENTS:
            raise SettingsError(
                f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {self.app_env!r}"
            )
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, "
                f"got {self.database_url!r}"
            )
        if self.sqlite_driver not in SQLITE_DRIVERS:
            raise SettingsError(
                "SQLITE_DRIVER must be custom (the default, faster) or stock (plain aiosqlite, "
                f"the fallback), got {self.sqlite_driver!r}"
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError(f"BASE_URL must be an http(s) URL, got {self.base_url!r}")
        if self.argon2_memory_kib < 8192 or self.argon2_time_cost < 1:
            raise SettingsError(
                "ARGON2_MEMORY_KIB must be at least 8192 and ARGON2_TIME_COST at least 1"
            )
        if self.attachment_storage != "database" and not (
            self.attachment_storage.startswith("local:") and self.attachment_storage[6:].strip()
        ):
            raise SettingsError(
                "ATTACHMENT_STORAGE must be database or local:/a/folder, "
                f"got {self.attachment_storage!r}"
            )
        if min(self.max_body_bytes, self.max_form_fields, self.max_form_field_bytes) < 1:
            raise SettingsError(
                "MAX_BODY_BYTES, MAX_FORM_FIELDS and MAX_FORM_FIELD_BYTES must be at least 1"
            )
        if self.max_upload_body_bytes < self.max_body_bytes:
            raise SettingsError("MAX_UPLOAD_BODY_BYTES must be at least MAX_BODY_BYTES")
        if len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        _proxy_networks(self.trusted_proxies)
        if self.is_production:
            self._check_production()

    def _check_production(self) -> None:
        if self.secret_key == DEFAULT_SECRET_KEY:
            raise SettingsError(
                "APP_ENV=production refuses the default SECRET_KEY: set SECRET_KEY to a long "
                "random value (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if not self.session_https_only or not self.base_url.startswith("https://"):
            raise SettingsError(
                "APP_ENV=production needs HTTPS cookies: set SESSION_HTTPS_ONLY=true and a "
                "BASE_URL that starts with https://"
            )
        if self.load_demo:
            raise SettingsError("APP_ENV=production refuses LOAD_DEMO=true")
        if self.mail_catcher:
            raise SettingsError("APP_ENV=production refuses MAIL_CATCHER=true")
        if self.dev_claveunica:
            raise SettingsError("APP_ENV=production refuses DEV_CLAVEUNICA=true")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            if f.type == "bool":
                values[f.name] = _bool(f.name.upper(), raw)
            elif f.type == "int":
                values[f.name] = _int(f.name.upper(), raw)
            elif f.type == "float":
                try:
                    values[f.name] = float(raw)
                except ValueError:
                    raise SettingsError(f"{f.name.upper()} must be a number, got {raw!r}") from None
            else:
                values[f.name] = raw
        app_env = str(values.get("app_env", cls.app_env))
        if app_env == "development":
            # Development runs self-contained: a mail catcher, an in-process worker, demo data.
            values.setdefault("mail_catcher", True)
            values.setdefault("run_worker", True)
            values.setdefault("load_demo", True)
            if not values.get("claveunica_client_id"):  # no real ClaveÚnica configured
                values.setdefault("dev_claveunica", True)
        elif app_env == "production":
            # Web processes keep no state: uploaded files go where every host reaches them.
            values.setdefault("attachment_storage", "database")
        return cls(**values)  # type: ignore[arg-type]
