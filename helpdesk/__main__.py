"""Command line: python -m helpdesk migrate | load-demo | load-content | reindex-kb |
remove-demo | serve | worker | alert-deadlines | lifecycle | oirs-listener | create-staff |
disable-staff | create-api-token | import-cases."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.settings import Settings, SettingsError


async def _with_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)

    engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            return await work(db)
    finally:
        await engine.dispose()


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    from helpdesk.cli_db import migrate

    if settings.is_sqlite:
        from pathlib import Path

        Path(settings.database_url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)

    async def run() -> None:
        engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("database migrated and reference data loaded")


def _load_demo(settings: Settings, args: argparse.Namespace) -> None:
    from helpdesk.demo.accounts import load_demo
    from helpdesk.demo.requests import load_requests

    if not settings.load_demo:
        print("LOAD_DEMO is off: no demo data loaded")
        return
    created = asyncio.run(_with_db(settings, load_demo))
    from app import register_links

    register_links()  # the requests' confirmation emails link to them
    requests = asyncio.run(_with_db(settings, load_requests))
    from helpdesk.appointments.demo import load_services

    services = asyncio.run(_with_db(settings, load_services))
    print(f"demo data ready ({created} new accounts and templates, {requests} new requests,")
    print(f"{services} new appointment services)")
    _load_demo_cases(settings)
    _load_content(settings, args)


def _load_demo_cases(settings: Settings) -> None:
    import time

    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)
    from helpdesk.cases.command import summary
    from helpdesk.cases.demo import load_cases
    from helpdesk.cases.importing import ImportReport

    async def run() -> ImportReport | None:
        engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
        try:
            return await load_cases(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    started = time.perf_counter()
    report = asyncio.run(run())
    if report is None:
        print("demo applications already loaded")
    else:
        took = time.perf_counter() - started
        print(f"demo applications loaded in {took:.1f} s. {summary(report)}")


def _load_content(settings: Settings, _args: argparse.Namespace) -> None:
    from knowledge_base.content_loader import load_content

    created = asyncio.run(_with_db(settings, load_content))
    print(f"knowledge base: {created} sample articles loaded")
    _reindex(settings, _args)


def _reindex(settings: Settings, _args: argparse.Namespace) -> None:
    from knowledge_base.search.index import rebuild_from_database

    report = asyncio.run(rebuild_from_database(settings))
    print(f"knowledge base index rebuilt: {report}")


def _remove_demo(settings: Settings, _args: argparse.Namespace) -> None:
    from helpdesk.demo.removal import DemoRemovalRefused, remove_demo

    try:
        removed = asyncio.run(_with_db(settings, remove_demo))
    except DemoRemovalRefused as refused:
        sys.exit(str(refused))
    print(
        f"demo removed: {removed.staff} staff accounts, {removed.people} people, "
        f"{removed.requests} requests; {removed.unassigned} real requests back in the queue"
    )


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import contextlib
    import os

    import uvicorn

    with contextlib.ExitStack() as stack:
        if settings.dev_claveunica:  # development only: production settings refuse it
            from helpdesk.dev.claveunica import for_development

            os.environ.update(stack.enter_context(for_development(settings)))
            print(f"ClaveÚnica (local look-alike) at {os.environ['CLAVEUNICA_METADATA_URL']}")
        print(f"Portal de Ayuda on http://{args.host}:{args.port} ({settings.app_env})")
        uvicorn.run(
            "app:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            # Forwarded headers are believed only from TRUSTED_PROXIES, by the app (app.py).
            proxy_headers=False,
            log_level="info",
        )


def _register_links(settings: Settings) -> None:
    """The commands whose jobs send email build its links from route names: they need the
    app's route table (app.py), as the web process does, the secret that signs requests'
    private links, and the status-change listeners (the person's email)."""
    from app import register_contributions, register_links
    from helpdesk.tickets.citizen import private_links

    register_links()
    register_contributions()
    private_links.configure(settings.secret_key, settings.base_url)


def _worker(settings: Settings, _args: argparse.Namespace) -> None:
    from helpdesk.appointments import reminders
    from helpdesk.notifications.worker import run_worker_process
    from helpdesk.tickets.alerts.deadline_alerts import run_periodically
    from helpdesk.tickets.lifecycle import jobs as lifecycle
    from helpdesk.tickets.opening import intake

    _register_links(settings)
    jobs = [
        run_periodically,
        intake.make_job(),
        lifecycle.run_periodically,
        reminders.run_periodically,
    ]
    asyncio.run(run_worker_process(settings, jobs=jobs))


def _lifecycle(settings: Settings, args: argparse.Namespace) -> None:
    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)
    from helpdesk.tickets.lifecycle.jobs import Outcome, run_lifecycle

    now = None
    if args.now:
        from datetime import datetime

        now = datetime.fromisoformat(args.now)
        if now.tzinfo is None:
            sys.exit("error: --now needs a time zone (e.g. 2027-03-01T09:00-03:00)")

    async def run() -> Outcome:
        engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
        try:
            return await run_lifecycle(make_sessionmaker(engine), settings, now)
        finally:
            await engine.dispose()

    _register_links(settings)
    done = asyncio.run(run())
    print(
        f"lifecycle: {done.closed} closed after resolution, {done.warned} warned of"
        f" abandonment, {done.abandoned} closed as abandoned, {done.lifted} warnings lifted"
    )


def _alert_deadlines(settings: Settings, _args: argparse.Namespace) -> None:
    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)
    from helpdesk.tickets.alerts.deadline_alerts import run_alerts

    async def run() -> int:
        engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
        try:
            return await run_alerts(make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    _register_links(settings)
    print(f"deadline alerts: {asyncio.run(run())} requests alerted")


def _oirs_listener(settings: Settings, args: argparse.Namespace) -> None:
    from helpdesk.tickets.inbound.listener import run_listener_process

    _register_links(settings)
    asyncio.run(run_listener_process(settings, args.host, args.port, args.address))


def _create_staff(settings: Settings, args: argparse.Namespace) -> None:
    from helpdesk.accounts.staff import NewStaff, StaffInputError, create_staff
    from helpdesk.audit.service import SYSTEM

    password = args.password or getpass.getpass("Password (12+ characters, empty for OIDC only): ")
    data = NewStaff(args.email, args.name, args.role, args.office, password or None)
    try:
        asyncio.run(_with_db(settings, lambda db: create_staff(db, data, SYSTEM)))
    except StaffInputError as exc:
        sys.exit(f"error: {exc.message}")
    print(f"staff account {args.email} created ({args.role})")


def _disable_staff(settings: Settings, args: argparse.Namespace) -> None:
    from helpdesk.accounts.staff import disable_staff_by_email

    if not asyncio.run(_with_db(settings, lambda db: disable_staff_by_email(db, args.email))):
        sys.exit(f"error: no staff account {args.email}")
    print(f"staff account {args.email} disabled")


def _create_api_token(settings: Settings, args: argparse.Namespace) -> None:
    from helpdesk.accounts.staff import create_api_token, find_by_email

    async def work(db: AsyncSession) -> str:
        account = await find_by_email(db, args.email)
        if account is None:
            sys.exit(f"error: no staff account {args.email}")
        return await create_api_token(db, account.id, args.name)

    print(asyncio.run(_with_db(settings, work)))


def _import_cases(settings: Settings, args: argparse.Namespace) -> None:
    from pathlib import Path

    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)
    from helpdesk.cases import command, following
    from helpdesk.cases import private_links as case_links
    from helpdesk.core.i18n import set_locale

    set_locale(args.lang)
    # Followers hear of each status change: their emails carry the case's private link.
    _register_links(settings)
    case_links.configure(settings.secret_key, settings.base_url)
    sys.exit(
        command.run(
            settings,
            Path(args.file),
            batch_size=args.batch_size,
            on_batch=following.notify_changes,
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpdesk")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply migrations and load reference data")
    sub.add_parser("load-demo", help="load demo accounts (development)")
    sub.add_parser("remove-demo", help="delete demo accounts")
    sub.add_parser("load-content", help="load the shipped sample knowledge-base articles")
    sub.add_parser("reindex-kb", help="rebuild the knowledge-base search index from the database")
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser(
        "worker", help="send queued email, route and answer new requests, alert deadlines"
    )
    sub.add_parser("alert-deadlines", help="email supervisors about requests due soon, once")
    lifecycle = sub.add_parser(
        "lifecycle",
        help="close resolved requests left alone, warn of and close abandoned ones, once",
    )
    lifecycle.add_argument("--now", help="the time to act as of (ISO 8601, with its zone)")
    oirs = sub.add_parser("oirs-listener", help="receive the OIRS mailbox's mail over SMTP")
    oirs.add_argument("--host", default="127.0.0.1")
    oirs.add_argument("--port", type=int, default=2525)
    oirs.add_argument(
        "--address",
        action="append",
        required=True,
        help="an OIRS mailbox address (repeatable): the only recipients accepted",
    )
    create = sub.add_parser("create-staff", help="create a staff account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True)
    create.add_argument("--office", help="office slug (required for regional_agent)")
    create.add_argument("--password", help="omit to be asked, empty for OIDC-only accounts")
    disable = sub.add_parser("disable-staff", help="disable a staff account")
    disable.add_argument("--email", required=True)
    token = sub.add_parser("create-api-token", help="print a new API token for a staff account")
    token.add_argument("--email", required=True)
    token.add_argument("--name", default="integration")
    cases = sub.add_parser(
        "import-cases", help="import applications' statuses from the case system (CSV or JSONL)"
    )
    cases.add_argument("file", help="CSV (UTF-8, header row) or JSON Lines")
    cases.add_argument("--lang", default="es", help="language of the report (es, en, fr, ...)")
    cases.add_argument("--batch-size", type=int, default=10_000, help="rows per transaction")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"configuration error: {exc}")
    commands = {
        "migrate": _migrate,
        "load-demo": _load_demo,
        "load-content": _load_content,
        "reindex-kb": _reindex,
        "remove-demo": _remove_demo,
        "serve": _serve,
        "worker": _worker,
        "alert-deadlines": _alert_deadlines,
        "lifecycle": _lifecycle,
        "oirs-listener": _oirs_listener,
        "create-staff": _create_staff,
        "disable-staff": _disable_staff,
        "create-api-token": _create_api_token,
        "import-cases": _import_cases,
    }
    commands[args.command](settings, args)


if __name__ == "__main__":
    main()
