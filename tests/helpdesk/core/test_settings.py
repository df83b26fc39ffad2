"""Settings: validated at start-up with a clear message; production refuses unsafe defaults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpdesk.core.settings import DEFAULT_SECRET_KEY, Settings, SettingsError

SAFE_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "SESSION_HTTPS_ONLY": "true",
    "BASE_URL": "https://ayuda.example.cl",
}


def test_development_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.app_env == "development"
    assert settings.mail_catcher and settings.run_worker and settings.load_demo
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_ENV": "staging"}, "APP_ENV must be one of"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
        ({"SMTP_PORT": "many"}, "SMTP_PORT must be a whole number"),
        ({"SESSION_HTTPS_ONLY": "maybe"}, "SESSION_HTTPS_ONLY must be true or false"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({**SAFE_PRODUCTION, "SECRET_KEY": DEFAULT_SECRET_KEY}, "refuses the default SECRET_KEY"),
        ({**SAFE_PRODUCTION, "SESSION_HTTPS_ONLY": "false"}, "needs HTTPS cookies"),
        ({**SAFE_PRODUCTION, "BASE_URL": "http://ayuda.example.cl"}, "needs HTTPS cookies"),
        ({**SAFE_PRODUCTION, "LOAD_DEMO": "true"}, "refuses LOAD_DEMO"),
    ],
)
def test_bad_values_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_production_with_safe_values() -> None:
    settings = Settings.from_env(SAFE_PRODUCTION)
    assert settings.is_production and not settings.load_demo and not settings.mail_catcher


def test_command_line_prints_the_problem() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "helpdesk", "migrate"],
        env={"APP_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "configuration error: APP_ENV=production refuses the default SECRET_KEY" in result.stderr


async def test_production_refuses_to_start_with_demo_accounts(settings, sessionmaker) -> None:
    from helpdesk.demo.accounts import load_demo
    from tests.conftest import make_app

    async with sessionmaker() as db, db.begin():
        await load_demo(db)
    app = make_app(
        settings,
        app_env="production",
        secret_key="p" * 48,
        session_https_only=True,
        base_url="https://ayuda.example.cl",
    )
    with pytest.raises(SettingsError, match="demo accounts"):
        async with app.router.lifespan_context(app):
            pass
    await app.state.engine.dispose()
