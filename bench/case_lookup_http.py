"""Case-status lookup with 1,000,000 applications (issue 15): in-process and over HTTP.

    .venv/bin/python bench/case_lookup_http.py [--cases 1000000] [--duration 10] [--runs 3]

Migrates a fresh SQLite database, loads the shipped articles (the status explanations are
articles) and writes ``--cases`` applications with two or three status events each directly
with sqlite3 (setup, not measured): half under a RUN with its check digit, half under a
passport, in every region and status. Then:

1. in-process, through the portal's own async session: ``lookup.find`` for 2,000 random
   lookups (half right, half with a wrong document) and the whole page's data
   (``view.case_view``) for the ones found; p50/p95 in ms (target: p95 under 10 ms);
2. over HTTP with wrk, one uvicorn worker each: the bare Starlette "/", the lookup page
   (POST /estado with the form's CSRF cookie and token, a random application per request,
   one in four with a wrong document) and POST /api/v1/cases/lookup (JSON, no cookie), in the
   same run; the target is 40 % of the bare endpoint's req/s for both. Lookup limits are
   lifted for the run (CASE_LOOKUPS_PER_*): every request comes from one address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import load  # noqa: E402
from stdnum.cl import rut  # noqa: E402

REGIONS = "AP TA AN AT CO VS RM LI ML NB BI AR LR LL AI MA".split()  # noqa: SIM905
FLOWS = {
    "residencia_temporal": ["ingresada", "acogida", "antecedentes_solicitados", "en_analisis"],
    "residencia_definitiva": ["ingresada", "en_analisis", "pago_pendiente", "otorgada"],
    "nacionalizacion": ["ingresada", "en_analisis", "en_resolucion"],
    "refugio": ["ingresada", "en_analisis", "reconocida"],
}
SAMPLE = 2000  # lookups kept for the load scripts and the in-process run


def document_of(i: int) -> tuple[str, str, str]:
    if i % 2:
        body = str(5_000_000 + i)
        return "run", f"{body}-{rut.calc_check_digit(body)}", "CL"
    return "pasaporte", f"P{i:09d}", "HT"


def fill(path: Path, cases: int, seed: int) -> list[tuple[str, str, bool]]:
    """Writes the applications; returns lookups (number, typed document, right?)."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    now = "2026-12-01 12:00:00.000000"
    start = date(2024, 1, 1)
    batch: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    for i in range(1, cases + 1):
        case_type = rng.choice(list(FLOWS))
        flow = FLOWS[case_type][: rng.randint(2, len(FLOWS[case_type]))]
        submitted = start + timedelta(days=rng.randrange(900))
        days = [submitted + timedelta(days=20 * k) for k in range(len(flow))]
        kind, number, country = document_of(i)
        batch.append(
            (i, f"S-{i:08d}", case_type, kind, number, country, rng.choice(REGIONS),
             submitted.isoformat(), flow[-1], days[-1].isoformat(), now, now)
        )  # fmt: skip
        events.extend((i, s, d.isoformat(), None, "", now) for s, d in zip(flow, days, strict=True))
        if len(batch) == 50_000:
            _write(db, batch, events)
            batch, events = [], []
    _write(db, batch, events)
    db.commit()
    db.close()
    lookups = []
    for _ in range(SAMPLE):
        i = rng.randint(1, cases)
        kind, number, _country = document_of(i)
        typed = f"{int(number[:-2]):,}".replace(",", ".") + number[-2:] if kind == "run" else number
        right = rng.random() >= 0.25
        lookups.append((f"S-{i:08d}", typed if right else "X0000000", right))
    return lookups


def _write(db: sqlite3.Connection, cases: list, events: list) -> None:  # type: ignore[type-arg]
    db.executemany(
        "INSERT INTO cases (id, number, case_type, document_type, document_number,"
        " document_country, region_code, submitted_on, status, status_on, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        cases,
    )
    db.executemany(
        "INSERT INTO case_events (case_id, status, status_on, note, note_digest, imported_at)"
        " VALUES (?,?,?,?,?,?)",
        events,
    )


async def in_process(url: str, lookups: list[tuple[str, str, bool]]) -> dict[str, float]:
    import helpdesk.models  # noqa: F401
    from app import register_links
    from helpdesk.cases import lookup, private_links, view
    from helpdesk.core.db import make_engine, make_sessionmaker

    register_links()
    private_links.configure("bench-secret", "http://127.0.0.1")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    find_ms, page_ms = [], []
    async with sessions() as db:
        for number, document, _right in lookups[:50]:  # warm the caches
            await lookup.find(db, lookup.Query(number, document))
        for number, document, _right in lookups:
            began = time.perf_counter()
            case = await lookup.find(db, lookup.Query(number, document))
            find_ms.append((time.perf_counter() - began) * 1000)
            if case is not None:
                began = time.perf_counter()
                await view.case_view(db, case, "fr")
                page_ms.append((time.perf_counter() - began) * 1000)
    await engine.dispose()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    return {
        "find p50": statistics.median(find_ms),
        "find p95": p95(find_ms),
        "page data p50": statistics.median(page_ms),
        "page data p95": p95(page_ms),
    }


def csrf_session(base: str) -> tuple[str, str]:
    """A browser's cookie header and the form's token, from one visit to /estado."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/estado", timeout=10) as response:
        html = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "no CSRF token on /estado"
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def lua(items: list[str], method_body: str) -> str:
    quoted = ",".join('"' + item.replace('"', '\\"') + '"' for item in items)
    return (
        f"""
local bodies = {{{quoted}}}
math.randomseed(15)
request = function()
  {method_body}
end
"""
        + load.WRK_SCRIPT
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--min-share", type=float, default=0.40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpdesk-case-bench-") as tmp:
        directory = Path(tmp)
        port, bare_port = load.free_port(), load.free_port()
        env = load.app_environment(directory, port)
        env.update(CASE_LOOKUPS_PER_ADDRESS="1000000000", CASE_LOOKUPS_PER_NUMBER="1000000000")
        env["KB_INDEX_DIR"] = str(directory / "kb-index")
        for command in ("migrate", "load-content"):
            subprocess.run(
                [sys.executable, "-m", "helpdesk", command],
                cwd=load.PROJECT_ROOT, env=env, check=True, timeout=300,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
        began = time.perf_counter()
        lookups = fill(directory / "bench.sqlite3", args.cases, 15)
        print(f"setup: {args.cases:,} applications in {time.perf_counter() - began:.0f} s")
        timings = asyncio.run(in_process(env["DATABASE_URL"], lookups))
        servers = {
            "app": load.start_server("app:app", port, env, load.PROJECT_ROOT),
            "bare": load.start_server("bare_app:app", bare_port, env, BENCH),
        }
        runs: list[list[load.Result]] = []
        try:
            base = f"http://{load.HOST}:{port}"
            load.wait_ready(f"{base}/readyz", servers["app"])
            load.wait_ready(f"http://{load.HOST}:{bare_port}/", servers["bare"])
            cookie, token = csrf_session(base)
            form = [
                f"numero={n}&documento={urllib.parse.quote(d)}&csrf_token={token}"
                for n, d, _ in lookups
            ]
            api = [json.dumps({"number": n, "document": d}) for n, d, _ in lookups]
            page_script = directory / "page.lua"
            page_script.write_text(
                lua(form, "return wrk.format('POST', '/estado', {['Content-Type'] ="
                    " 'application/x-www-form-urlencoded', ['Cookie'] = '" + cookie + "'},"
                    " bodies[math.random(#bodies)])")
            )  # fmt: skip
            api_script = directory / "api.lua"
            api_script.write_text(
                lua(api, "return wrk.format('POST', '/api/v1/cases/lookup',"
                    " {['Content-Type'] = 'application/json'}, bodies[math.random(#bodies)])")
            )  # fmt: skip
            plain = directory / "plain.lua"
            plain.write_text(
                "request = function() return wrk.format('GET') end\n" + load.WRK_SCRIPT
            )
            targets = [
                (load.Target('bare Starlette "/"', "bare", "/"), plain, bare_port),
                (load.Target("lookup page (POST /estado)", "app", "/"), page_script, port),
                (load.Target("lookup API (POST /api/v1/cases/lookup)", "app", "/"), api_script, port),  # noqa: E501
            ]  # fmt: skip
            for run in range(args.runs):
                results = []
                for target, script, target_port in targets:
                    url = f"http://{load.HOST}:{target_port}/"
                    load.run_load(url, args.warmup, 2, args.connections, script)
                    raw = load.run_load(url, args.duration, 2, args.connections, script)
                    results.append(load.Result.from_raw(target, raw))
                    print(f"  run {run + 1}: {target.name}: {results[-1].rps:,.0f} req/s",
                          file=sys.stderr, flush=True)  # fmt: skip
                runs.append(results)
        finally:
            for process in servers.values():
                load.stop(process)
    for key, value in load.machine().items():
        print(f"{key}: {value}")
    print(f"\nin-process, {args.cases:,} applications, {SAMPLE:,} lookups (ms)\n")
    print("| measure | ms |\n|---|---:|")
    for name, value in timings.items():
        print(f"| {name} | {value:.2f} |")
    for number, results in enumerate(runs, start=1):
        print(f"\nrun {number}\n")
        print(load.table(results))
    shares = [statistics.median(run[i].rps / run[0].rps for run in runs) for i in (1, 2)]
    print(f"\nmedian share of bare: page {shares[0]:.0%}, API {shares[1]:.0%}")
    # Expected non-2xx: the wrong documents' 404s (a quarter of the lookups).
    ok = timings["find p95"] < 10 and min(shares) >= args.min_share
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
