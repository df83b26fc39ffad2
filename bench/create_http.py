"""Opening requests over HTTP, the web form and the JSON API, at concurrency 16, one worker.

    .venv/bin/python bench/create_http.py [--duration 10] [--connections 16]

Migrates a fresh SQLite database and loads the demo (accounts, knowledge base and its index,
canned answers and rules), then runs the portal as in production: one uvicorn worker, and
beside it ``python -m helpdesk worker`` (sending mail to an SMTP sink of this script,
routing new requests and answering them from the rules and the knowledge base). Every
request goes the whole way: the form or JSON is validated, the person found, a folio drawn,
the legal deadline counted, and the request, its first message, status history, audit
event and confirmation email (an outbox row) written and committed before the answer (with
the other requests waiting at that moment: group commit, docs/performance.md); the worker then
routes it and, for this text, sends the knowledge base's automatic answer. The worker starts
after the load (or, with --worker-during, before it: on SQLite it then competes for the one
write lock and the two cores). With wrk (-t2 -c16):

- "web form": a signed-in citizen posts /solicitudes/nueva (CSRF token and session cookie),
  answered with a 303 to the receipt;
- "API": an integration posts JSON to /api/v1/requests with a staff bearer token, answered 201.

The per-address rate limit on opening requests is raised for the run (every connection comes
from 127.0.0.1; the limiter itself still runs). Afterwards it counts, in the database, the
requests opened and their "request_received" outbox rows: every one must have its email.
The target is 400 requests per second for each. It also reports how long the worker took,
after the load, to finish routing and answering (no request left ``intake_pending``).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402

TARGET_RPS = 400.0
CITIZEN = ("luis.perez@demo.portal", "demo-migrante-2026")
STAFF = "analista@demo.portal"
SUBJECT = "Consulta sobre el estado de mi solicitud de residencia temporal"
BODY = (
    "Hola, presenté mi solicitud de residencia temporal hace tres meses y todavía aparece en "
    "revisión. ¿Cuánto tiempo más debo esperar y qué documentos puedo adjuntar?"
)


def sign_in_citizen(base: str) -> tuple[str, str]:
    """Signs in through the real form; returns the Cookie header and the form's CSRF token."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/cuenta/ingresar").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    email, password = CITIZEN
    fields = {"email": email, "password": password, "csrf_token": token, "next": ""}
    opener.open(f"{base}/cuenta/ingresar", data=urllib.parse.urlencode(fields).encode())
    form = opener.open(f"{base}/solicitudes/nueva").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def form_script(cookie: str, token: str) -> str:
    body = urllib.parse.urlencode(
        {
            "csrf_token": token,
            "tipo": "consulta",
            "region": "TA",
            "tramite": "",
            "asunto": SUBJECT,
            "texto": BODY,
            "borrador": "",
        }
    )
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "{cookie}"\n'
    ) + load.WRK_SCRIPT


def api_script(token: str) -> str:
    body = json.dumps(
        {
            "kind": "consulta",
            "region_code": "RM",
            "subject": SUBJECT,
            "body": BODY,
            "email": "integracion.bench@example.cl",
            "channel": "telefono",
            "locale": "es",
        }
    )
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    ) + load.WRK_SCRIPT


def counts(database: Path) -> tuple[int, int]:
    connection = sqlite3.connect(database)
    try:
        requests = connection.execute("SELECT count(*) FROM requests").fetchone()[0]
        emails = connection.execute(
            "SELECT count(*) FROM outbox_messages WHERE template = 'request_received'"
        ).fetchone()[0]
    finally:
        connection.close()
    return requests, emails


def wait_for_intake(database: Path, limit: float = 300.0) -> tuple[float, int]:
    """Seconds until the worker has routed and answered every request; automatic answers."""
    start = time.monotonic()
    connection = sqlite3.connect(database, timeout=30)
    try:
        while True:
            pending = connection.execute(
                "SELECT count(*) FROM requests WHERE intake_pending"
            ).fetchone()[0]
            if not pending or time.monotonic() - start > limit:
                answers = connection.execute("SELECT count(*) FROM canned_auto_answers")
                return time.monotonic() - start, answers.fetchone()[0]
            time.sleep(0.2)
    finally:
        connection.close()


def start_smtp_sink() -> tuple[object, int]:
    """An SMTP server that accepts and drops every message, for the worker's mail."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    port = load.free_port()
    controller = Controller(Sink(), hostname=load.HOST, port=port)
    controller.start()
    return controller, port


def run(args: argparse.Namespace, directory: Path) -> list[tuple[load.Result, int, int]]:
    port = load.free_port()
    env = load.app_environment(directory, port)
    env["KB_INDEX_DIR"] = str(directory / "kb-index")
    env["LOGIN_RATE_PER_MINUTE"] = str(10**9)
    env["LOAD_DEMO"] = "true"
    for command in (["migrate"], ["load-demo"]):
        subprocess.run(
            [sys.executable, "-m", "helpdesk", *command],
            cwd=load.PROJECT_ROOT,
            env=env,
            check=True,
            timeout=600,
            stdout=subprocess.DEVNULL,
        )
    api_token = subprocess.run(
        [sys.executable, "-m", "helpdesk", "create-api-token", "--email", STAFF],
        cwd=load.PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    database = directory / "bench.sqlite3"
    sink, smtp_port = start_smtp_sink()
    env["SMTP_PORT"] = str(smtp_port)

    def start_worker() -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "helpdesk", "worker"]
        return subprocess.Popen(command, cwd=load.PROJECT_ROOT, env=env)

    server = load.start_server("app:app", port, env, load.PROJECT_ROOT)
    base = f"http://{load.HOST}:{port}"
    results = []
    worker = None
    try:
        load.wait_ready(f"{base}/readyz", server)
        cookie, csrf = sign_in_citizen(base)
        scripts = {
            "web form (POST /solicitudes/nueva)": ("/solicitudes/nueva", form_script(cookie, csrf)),
            "API (POST /api/v1/requests)": ("/api/v1/requests", api_script(api_token)),
        }
        for name, (path, text) in scripts.items():
            script = directory / "create.lua"
            script.write_text(text)
            threads = min(2, args.connections)
            if args.worker_during:
                worker = start_worker()
            load.run_load(base + path, 2, threads, args.connections, script)  # warm-up
            before = counts(database)
            raw = load.run_load(base + path, args.duration, threads, args.connections, script)
            after = counts(database)
            result = load.Result.from_raw(load.Target(name, "app", path), raw)
            worker = worker or start_worker()
            drained, answers = wait_for_intake(database)
            load.stop(worker)
            worker = None
            print(f"{name}: intake done {drained:.1f} s after the load; {answers:,} auto-answers")
            results.append((result, after[0] - before[0], after[1] - before[1]))
    finally:
        load.stop(server)
        if worker is not None:
            load.stop(worker)
        sink.stop()  # type: ignore[attr-defined]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--worker-during",
        action="store_true",
        help="run the background worker during the load too (default: after it, to drain)",
    )
    args = parser.parse_args()
    if not load.shutil.which("wrk"):
        print("wrk is needed: apt-get install -y wrk")
        return 2
    with tempfile.TemporaryDirectory(prefix="helpdesk-create-bench-") as tmp:
        results = run(args, Path(tmp))
    for key, value in load.machine().items():
        print(f"{key}: {value}")
    print(f"database: SQLite; load: wrk -t2 -c{args.connections} -d{args.duration}s, one worker")
    print()
    print("| path | req/s | p50 ms | p95 ms | p99 ms | errors | opened | with email |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for r, opened, emails in results:
        errors = r.bad_status + r.socket_errors
        print(
            f"| {r.target.name} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p95_ms:.2f} "
            f"| {r.p99_ms:.2f} | {errors} | {opened:,} | {emails:,} |"
        )
        # wrk stops counting at the deadline; requests still in flight then land too.
        ok = ok and r.rps >= TARGET_RPS and not errors and opened == emails >= r.requests
    print(
        f"\n{'meets' if ok else 'MISSES'} the target: {TARGET_RPS:.0f} req/s, each with its email"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
