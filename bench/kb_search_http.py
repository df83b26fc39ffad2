"""The search page over HTTP with the shipped content, against the bare Starlette ceiling.

    .venv/bin/python bench/kb_search_http.py [--duration 10] [--queries 1000]

Migrates a fresh SQLite database, loads the shipped articles (knowledge_base/content/) and
builds their index, then starts one uvicorn worker for the portal and one for
bench/bare_app.py on loopback. wrk loads the bare "/" and then GET /ayuda/buscar?q=… with
``--queries`` distinct queries (the same generator as bench/kb_search.py: article words,
judged queries, typos, every reader language, some with a topic filter) drawn per request with
a Zipf distribution (weight 1/rank), each with its reader's language cookie. The mix is made
before the server starts and knows nothing of the result cache. Exits 1 when the search page
serves less than --min-share (10 %) of bare.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import kb_search  # noqa: E402
import load  # noqa: E402

ZIPF_S = 1.0

LUA_PICK = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local cumulative = {%(cumulative)s}
local total = cumulative[#cumulative]
math.randomseed(%(seed)d)
request = function()
  local x = math.random() * total
  local lo, hi = 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < x then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", paths[lo], {["Cookie"] = cookies[lo]})
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_script(mix: list[tuple[str, str, str | None]], seed: int) -> str:
    paths, cookies, cumulative, running = [], [], [], 0.0
    for rank, (query, locale, category) in enumerate(mix, start=1):
        params = {"q": query, **({"tema": category} if category else {})}
        paths.append(lua_string("/ayuda/buscar?" + urlencode(params)))
        cookies.append(lua_string(f"lang={locale}"))
        running += 1 / rank**ZIPF_S
        cumulative.append(f"{running:.9f}")
    body = LUA_PICK % {
        "paths": ",".join(paths),
        "cookies": ",".join(cookies),
        "cumulative": ",".join(cumulative),
        "seed": seed,
    }
    return body + load.WRK_SCRIPT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--min-share", type=float, default=0.10)
    args = parser.parse_args()
    if not load.shutil.which("wrk"):
        print("wrk is needed: apt-get install -y wrk")
        return 2
    rng = random.Random(args.seed)
    languages = kb_search.shipped_languages()
    categories = sorted({a.category for a in kb_search.read_content()})
    mix = kb_search.query_mix(rng, languages, args.queries, categories)
    with tempfile.TemporaryDirectory(prefix="helpdesk-kb-bench-") as tmp:
        directory = Path(tmp)
        plain = directory / "plain.lua"
        plain.write_text(load.WRK_SCRIPT)
        searches = directory / "search.lua"
        searches.write_text(search_script(mix, args.seed))
        ports = {"app": load.free_port(), "bare": load.free_port()}
        env = load.app_environment(directory, ports["app"])
        env["KB_INDEX_DIR"] = str(directory / "kb-index")
        for command in ("migrate", "load-content"):
            subprocess.run(
                [sys.executable, "-m", "helpdesk", command],
                cwd=load.PROJECT_ROOT,
                env=env,
                check=True,
                timeout=300,
                stdout=subprocess.DEVNULL,
            )
        servers = {
            "app": load.start_server("app:app", ports["app"], env, load.PROJECT_ROOT),
            "bare": load.start_server("bare_app:app", ports["bare"], env, BENCH),
        }
        targets = (
            (load.Target('bare Starlette "/"', "bare", "/"), plain),
            (load.Target(f"portal /ayuda/buscar ({len(mix)} queries, Zipf)", "app", "/"), searches),
        )
        results = []
        try:
            load.wait_ready(f"http://{load.HOST}:{ports['app']}/readyz", servers["app"])
            load.wait_ready(f"http://{load.HOST}:{ports['bare']}/", servers["bare"])
            for target, script in targets:
                url = f"http://{load.HOST}:{ports[target.server]}{target.path}"
                load.run_load(url, args.warmup, args.threads, args.connections, script)
                raw = load.run_load(url, args.duration, args.threads, args.connections, script)
                results.append(load.Result.from_raw(target, raw))
        finally:
            for process in servers.values():
                load.stop(process)
    for key, value in load.machine().items():
        print(f"{key}: {value}")
    print(
        f"load: -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"after {args.warmup}s warm-up"
    )
    print()
    print(load.table(results))
    share = results[1].rps / results[0].rps
    print()
    print(
        f"search/bare = {share:.1%}: {'meets' if share >= args.min_share else 'BELOW'} "
        f"the {args.min_share:.0%} target"
    )
    if any(r.bad_status or r.socket_errors for r in results):
        print("some requests failed (see the errors column)")
        return 1
    return 0 if share >= args.min_share else 1


if __name__ == "__main__":
    sys.exit(main())
