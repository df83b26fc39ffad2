"""Composition root: create_app(settings) wires every domain; ``app`` is the ASGI entry point."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import ClassVar
from urllib.parse import urlsplit

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from helpdesk.accounts import routes_admin, routes_citizen, routes_staff
from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.accounts.oidc import make_oauth
from helpdesk.accounts.session import SignInRequired
from helpdesk.api import routes as api_routes
from helpdesk.appointments import closings as appointment_closings
from helpdesk.appointments import private_links as appointment_links
from helpdesk.appointments import reminders as appointment_reminders
from helpdesk.appointments import staff as appointments_staff
from helpdesk.appointments.admin import routes as appointments_admin_routes
from helpdesk.appointments.citizen import link_routes as appointments_link_routes
from helpdesk.appointments.citizen import routes as appointments_routes
from helpdesk.audit import routes as audit_routes
from helpdesk.calendar import closures as calendar_closures
from helpdesk.cases import api as cases_api_routes
from helpdesk.cases import follow_routes as cases_follow_routes
from helpdesk.cases import private_links as case_links
from helpdesk.cases import request_links as case_request_links
from helpdesk.cases import routes as cases_routes
from helpdesk.cases import staff as cases_staff
from helpdesk.cases import staff_routes as cases_staff_routes
from helpdesk.core import error_pages, links, static_files
from helpdesk.core.body_limits import BodyLimitMiddleware, BodyLimits
from helpdesk.core.compression import GZipWhenAccepted
from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import LocaleMiddleware
from helpdesk.core.security import CSRFMiddleware, configure_password_hashing
from helpdesk.core.settings import PROJECT_ROOT, Settings, SettingsError
from helpdesk.core.static_files import AssetFiles, StaticAssets, static_assets
from helpdesk.core.templating import AnonymousPageCache, make_templates
from helpdesk.core.unit_of_work import UnitOfWorkMiddleware
from helpdesk.core.web import redirect
from helpdesk.notifications import routes as mail_routes
from helpdesk.notifications.runtime import background_services
from helpdesk.pages import routes as page_routes
from helpdesk.people import merging as people_merging
from helpdesk.people import routes as people_routes
from helpdesk.people import routes_profile as people_profile_routes
from helpdesk.people import sections as people_sections
from helpdesk.people import timeline as people_timeline
from helpdesk.tickets import person_records, status_moves, uploads
from helpdesk.tickets.admin import reference_routes as tickets_reference_routes
from helpdesk.tickets.admin import routes as tickets_admin_routes
from helpdesk.tickets.alerts.deadline_alerts import run_periodically as deadline_alerts_job
from helpdesk.tickets.answers import routes as tickets_answers_routes
from helpdesk.tickets.api import routes as tickets_api_routes
from helpdesk.tickets.citizen import emails as citizen_emails
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.citizen import routes as tickets_citizen_routes
from helpdesk.tickets.lifecycle import jobs as lifecycle_jobs
from helpdesk.tickets.lifecycle import routes as tickets_lifecycle_routes
from helpdesk.tickets.opening import group as opening_queue
from helpdesk.tickets.opening import intake, references
from helpdesk.tickets.opening import routes as tickets_opening_routes
from helpdesk.tickets.queue import routes as tickets_queue_routes
from helpdesk.tickets.teams import routes as tickets_teams_routes
from helpdesk.tickets.workbench import context as request_context
from helpdesk.tickets.workbench import links_routes as tickets_links_routes
from helpdesk.tickets.workbench import presence_routes as tickets_presence_routes
from helpdesk.tickets.workbench import routes as tickets_workbench_routes
from helpdesk.tickets.workbench import service as workbench_service
from knowledge_base import routes_api as kb_api_routes
from knowledge_base import routes_editor
from knowledge_base import routes_reader as kb_reader_routes
from knowledge_base.article_cache import ArticleCache
from knowledge_base.search.index import KnowledgeIndex
from knowledge_base.search_stats import SearchStats
from knowledge_base.view_counts import ViewCounts

GZIP_MINIMUM_SIZE = 500
GZIP_LEVEL = 6  # zlib's default; on article pages 9 saves no bytes (docs/performance.md)


def migration_heads() -> set[str]:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    return set(ScriptDirectory.from_config(config).get_heads())


class SecurityHeadersMiddleware:
    """Conservative headers on every response; the CSP allows only our own scripts and styles."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (
            b"permissions-policy",
            b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    ]
    # Production only: development and tests run on plain http://127.0.0.1.
    HSTS: ClassVar[tuple[bytes, bytes]] = (
        b"strict-transport-security",
        b"max-age=31536000; includeSubDomains",
    )

    def __init__(
        self,
        app: ASGIApp,
        identity_origin: str = "https://accounts.claveunica.gob.cl",
        hsts: bool = False,
    ) -> None:
        self.app = app
        # Signing out of ClaveÚnica is a form whose answer redirects to its logout page.
        policy = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"base-uri 'none'; form-action 'self' {identity_origin}; frame-ancestors 'none'"
        )
        self.headers = [
            *self.HEADERS,
            (b"content-security-policy", policy.encode()),
            *([self.HSTS] if hsts else []),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def route_table(assets: StaticAssets | None = None) -> list[BaseRoute]:
    """Every page and endpoint. Links are built from these routes' names (core/links.py)."""
    return [
        *page_routes.routes,
        # The most read pages early: Starlette tries the routes in order, some 2 µs each.
        *kb_reader_routes.routes,
        *routes_citizen.routes,
        *routes_staff.routes,
        *routes_admin.routes,
        *people_routes.routes,
        *people_profile_routes.routes,
        *tickets_opening_routes.routes,
        *tickets_citizen_routes.routes,
        # Before the request page's routes: /staff/solicitudes/lote is not a folio.
        *tickets_queue_routes.routes,
        *tickets_workbench_routes.routes,
        *tickets_lifecycle_routes.routes,
        *tickets_answers_routes.routes,
        *tickets_admin_routes.routes,
        *tickets_reference_routes.routes,
        *tickets_presence_routes.routes,
        *tickets_links_routes.routes,
        *tickets_teams_routes.routes,
        *cases_routes.routes,
        *cases_staff_routes.routes,
        *cases_follow_routes.routes,
        *appointments_routes.routes,
        *appointments_link_routes.routes,
        *appointments_admin_routes.routes,
        *audit_routes.routes,
        *mail_routes.routes,
        *routes_editor.routes,
        Mount(
            "/api/v1",
            routes=[
                *api_routes.routes,
                *kb_api_routes.routes,
                *tickets_api_routes.routes,
                *cases_api_routes.routes,
            ],
            name="api",
        ),
        Route("/favicon.ico", static_files.favicon, name="favicon"),
        Mount("/static", AssetFiles(assets or static_assets()), name="static"),
    ]


def register_links() -> None:
    """The route table for links built outside an app: the command line's jobs, tests."""
    links.register(route_table())


async def sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = "staff_signin" if exc.staff else "citizen_signin"
    return redirect(links.url_path(target, query={"next": request.url.path}))


async def refuse_demo_accounts_in_production(settings: Settings, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    if not settings.is_production:
        return
    async with sessionmaker() as db:
        demo = await db.scalar(select(StaffAccount.id).where(StaffAccount.is_demo).limit(1))
        demo = demo or await db.scalar(
            select(CitizenAccount.id).where(CitizenAccount.is_demo).limit(1)
        )
    if demo:
        raise SettingsError(
            "APP_ENV=production refuses to start while demo accounts exist: "
            "remove them with `python -m helpdesk remove-demo`"
        )


def register_contributions() -> None:
    """What one domain shows or does on another's pages, wired here so the domain that shows
    it never imports the ones that feed it (helpdesk/people imports no tickets). Idempotent:
    create_app calls it, and so do tests that call the people services without an app."""
    for source in person_records.TIMELINE_SOURCES:
        people_timeline.register_source(source)
    people_sections.register_person_section(person_records.requests_section)
    # The person hears of the status changes they should know about (one email each).
    status_moves.register_listener(citizen_emails.notify_status)
    people_merging.register_merge_hook(
        "requests", person_records.move_requests, person_records.restore_requests
    )
    people_sections.register_staff_home_panel(tickets_teams_routes.home_panel)
    # The person's context beside a request: their other requests first; cases, appointments
    # and escalations register theirs here as they land.
    request_context.register_section(request_context.other_requests)
    request_context.register_section(cases_staff.request_section)
    people_sections.register_person_section(cases_staff.person_section)
    request_context.register_section(appointments_staff.request_section)
    people_sections.register_person_section(appointments_staff.person_section)
    # A request opened from a case's page is linked to it; staff link cases beside a request.
    references.register_reference("caso", case_request_links.reference_for_token)
    case_request_links.register_request_finder(workbench_service.get_for_staff)
    # A closure cancels the appointments it hits and tells each person (issue 16).
    calendar_closures.register_closure_hook(appointment_closings.cancel_for_closure)


def body_limits(settings: Settings) -> BodyLimits:
    """Settings' body limits, checked against the largest legitimate upload (a form's files)."""
    largest = uploads.POLICY.max_files * uploads.POLICY.max_bytes
    if (
        settings.max_upload_body_bytes <= largest
        or settings.max_form_files < uploads.MAX_FORM_FILES
    ):
        raise SettingsError(
            f"MAX_UPLOAD_BODY_BYTES must exceed {largest} (the largest upload) and "
            f"MAX_FORM_FILES be at least {uploads.MAX_FORM_FILES}"
        )
    return BodyLimits.from_settings(settings)


def create_app(settings: Settings) -> Starlette:
    register_contributions()
    limits = body_limits(settings)
    configure_password_hashing(settings.argon2_time_cost, settings.argon2_memory_kib)
    engine = make_engine(
        settings.database_url, background_checkpoints=True, sqlite_driver=settings.sqlite_driver
    )
    sessionmaker = make_sessionmaker(engine)
    # SQLite has one writer at a time: the process queues its writers here instead.
    write_lock = asyncio.Lock() if settings.database_url.startswith("sqlite") else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await refuse_demo_accounts_in_production(settings, sessionmaker)
        await app.state.kb_index.ensure_ready(sessionmaker)
        async with (
            background_services(
                settings,
                sessionmaker,
                app.state.templates.env,
                jobs=[
                    deadline_alerts_job,
                    intake.make_job(app.state.kb_index),
                    lifecycle_jobs.run_periodically,
                    appointment_reminders.run_periodically,
                ],
            ),
            app.state.search_stats.flushing(sessionmaker),
            app.state.view_counts.flushing(sessionmaker),
        ):
            # What startup made (modules, templates, caches, indexes) lives as long as the
            # process: kept out of the collector's scans, which then pause requests less.
            gc.freeze()
            yield
        await app.state.request_opener.close()
        app.state.kb_index.close()
        await engine.dispose()

    routes = route_table(static_assets(versioned=settings.app_env != "development"))
    links.register(routes)
    # Every email to a person carries their request's private link, signed with the secret.
    private_links.configure(settings.secret_key, settings.base_url)
    case_links.configure(settings.secret_key, settings.base_url)
    appointment_links.configure(settings.secret_key, settings.base_url)
    logout = urlsplit(settings.claveunica_logout_url)
    identity_origin = f"{logout.scheme}://{logout.netloc}"
    middleware = [
        # Pages and fragments are gzipped per response; static text was gzipped at start-up
        # (core/static_files.py) and passes through as it is.
        Middleware(GZipWhenAccepted, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL),
        Middleware(
            SecurityHeadersMiddleware,
            identity_origin=identity_origin,
            hsts=settings.is_production,
        ),
        Middleware(LocaleMiddleware),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="session",
            max_age=settings.session_max_age,
            same_site="lax",
            https_only=settings.session_https_only,
        ),
        # Inside the session (its error pages need one), outside the unit of work, which
        # reads a writer's whole body before it takes its turn.
        Middleware(BodyLimitMiddleware, limits=limits, on_refusal=error_pages.body_refused),
        Middleware(
            UnitOfWorkMiddleware,
            sessionmaker=sessionmaker,
            write_lock=write_lock,
        ),
        Middleware(CSRFMiddleware, on_failure=error_pages.csrf_failure, limits=limits),
    ]
    if settings.trusted_proxy_list:
        # First of all, so throttles, the audit and https:// links see the real client; only
        # the configured proxies are believed (never loopback by default: a same-host client
        # could name a new address on each try and dodge the per-address throttles).
        middleware.insert(
            0, Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
        )
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: error_pages.http_exception,
            DomainError: error_pages.domain_error,
            SignInRequired: sign_in_required,
            Exception: error_pages.server_error,
        },
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.templates = make_templates(settings)
    app.state.page_cache = AnonymousPageCache(enabled=settings.app_env != "development")
    app.state.oauth = make_oauth(settings)
    app.state.kb_index = KnowledgeIndex(settings.kb_index_dir)
    app.state.request_opener = opening_queue.make_opener(sessionmaker, write_lock)
    app.state.search_stats = SearchStats()
    app.state.view_counts = ViewCounts()
    app.state.article_cache = ArticleCache()
    app.state.migration_heads = migration_heads()
    return app


def _app_from_env() -> Starlette:
    return create_app(Settings.from_env())


def __getattr__(name: str) -> Starlette:
    # The module-level ASGI app is built on first access, so importing app.py in tests
    # (which build their own Settings) reads no environment.
    if name == "app":
        application = _app_from_env()
        globals()["app"] = application
        return application
    raise AttributeError(name)
