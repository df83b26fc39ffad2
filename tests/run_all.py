"""`make test`: the whole suite on SQLite (browser tests included when chromium is there),
then again on PostgreSQL when one answers, then on SQLite through stock aiosqlite
(``SQLITE_DRIVER=stock``, the fallback for the custom driver; browser tests left out to keep
the run short). Says plainly which part was skipped."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

from tests.support.database import POSTGRES_ADMIN_DSN, postgres_available

CHROMIUM = "/usr/bin/chromium"


def pytest(*args: str, env: dict[str, str] | None = None) -> int:
    command = [sys.executable, "-m", "pytest", *args, *sys.argv[1:]]
    print("+", *(f"{k}={v}" for k, v in (env or {}).items()), *command, flush=True)
    return subprocess.call(command, env={**os.environ, **env} if env else None)


def main() -> int:
    require_all = os.environ.get("CI") == "true" or os.environ.get("REQUIRE_ALL") == "1"
    skipped: list[str] = []
    has_chromium = shutil.which("chromium") is not None or os.path.exists(CHROMIUM)
    if not has_chromium:
        skipped.append(
            "browser tests (tests/e2e): chromium not installed (apt-get install chromium)"
        )
    print("== SQLite (SQLITE_DRIVER=custom, the default) ==", flush=True)
    failures = pytest(
        "-m", "e2e or not e2e" if has_chromium else "not e2e", env={"SQLITE_DRIVER": "custom"}
    )
    has_postgres = asyncio.run(postgres_available())
    if has_postgres:
        print(f"== PostgreSQL ({POSTGRES_ADMIN_DSN}) ==", flush=True)
        failures |= pytest("--db=postgresql", "-m", "not e2e")
    else:
        skipped.append(f"PostgreSQL suite: no server answers at {POSTGRES_ADMIN_DSN}")
    print("== SQLite, stock aiosqlite (SQLITE_DRIVER=stock) ==", flush=True)
    failures |= pytest("-m", "not e2e", env={"SQLITE_DRIVER": "stock"})
    for part in skipped:
        print(f"SKIPPED: {part}", flush=True)
    if skipped and require_all:
        print("CI requires every part: failing because something was skipped", flush=True)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
