"""The knowledge-base article page and the home page over HTTP, against the bare Starlette
ceiling, in the same run.

    .venv/bin/python bench/kb_article_http.py [--duration 10] [--runs 3]

Migrates a fresh SQLite database, loads the shipped articles (knowledge_base/content/), then
starts one uvicorn worker for the portal and one for bench/bare_app.py on loopback. Each run
loads, with wrk and one after the other: the bare "/", the home page, the article page as
first visits and the article page as returning readers. Article requests draw an article and
a reader language at random for every request and carry a browser's User-Agent, so every
first visit is a view that counts (a new reader each time: no cookie) and goes through the
view counter, and every returning reader has a reader cookie (so their earlier vote is looked
up). With ``--gzip`` every request says ``Accept-Encoding: gzip`` as browsers do, and the
portal compresses its pages. Prints each run's table, then the median of the runs' req/s and
shares of bare; exits 1 when the article page's median share is below --min-share (40 %).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import load  # noqa: E402

from knowledge_base.content_loader import read_content  # noqa: E402

BROWSER_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
READERS = 1000  # returning readers' cookies

LUA_PICK = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
math.randomseed(%(seed)d)
request = function()
  local i = math.random(#paths)
  local headers = {["User-Agent"] = "%(agent)s", ["Cookie"] = cookies[i]%(encoding)s}
  if %(returning)s then
    headers["Cookie"] = cookies[i] .. "; rid=" .. readers[math.random(#readers)]
  end
  return wrk.format("GET", paths[i], headers)
end
"""

LUA_PLAIN = """
request = function()
  return wrk.format("GET", nil, {%(encoding)s})
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article_script(articles: list[tuple[str, str]], returning: bool, gzip: bool, seed: int) -> str:
    encoding = ', ["Accept-Encoding"] = "gzip"' if gzip else ""
    body = LUA_PICK % {
        "paths": ",".join(lua_string(f"/ayuda/articulo/{slug}") for slug, _ in articles),
        "cookies": ",".join(lua_string(f"lang={locale}") for _, locale in articles),
        "seed": seed,
        "agent": BROWSER_UA,
        "encoding": encoding,
        "returning": "true" if returning else "false",
    }
    readers = ",".join(lua_string(secrets.token_urlsafe(24)) for _ in range(READERS))
    return f"readers = {{{readers}}}\n" + body + load.WRK_SCRIPT


def plain_script(gzip: bool) -> str:
    encoding = '["Accept-Encoding"] = "gzip"' if gzip else ""
    return LUA_PLAIN % {"encoding": encoding} + load.WRK_SCRIPT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as browsers do")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--min-share", type=float, default=0.40)
    args = parser.parse_args()
    if not load.shutil.which("wrk"):
        print("wrk is needed: apt-get install -y wrk")
        return 2
    articles = [
        (article.slug, locale) for article in read_content() for locale in sorted(article.texts)
    ]
    with tempfile.TemporaryDirectory(prefix="helpdesk-article-bench-") as tmp:
        directory = Path(tmp)
        scripts = {
            "plain": plain_script(args.gzip),
            "first": article_script(articles, False, args.gzip, args.seed),
            "returning": article_script(articles, True, args.gzip, args.seed),
        }
        for name, text in scripts.items():
            (directory / f"{name}.lua").write_text(text)
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
            (load.Target('bare Starlette "/"', "bare", "/"), "plain"),
            (load.Target('portal "/" (home page)', "app", "/"), "plain"),
            (
                load.Target(
                    f"article page, first visits ({len(articles)} articles × languages)",
                    "app",
                    "/",
                ),
                "first",
            ),
            (load.Target("article page, returning readers", "app", "/"), "returning"),
        )
        runs: list[list[load.Result]] = []
        try:
            load.wait_ready(f"http://{load.HOST}:{ports['app']}/readyz", servers["app"])
            load.wait_ready(f"http://{load.HOST}:{ports['bare']}/", servers["bare"])
            for run in range(args.runs):
                results = []
                for target, script in targets:
                    url = f"http://{load.HOST}:{ports[target.server]}{target.path}"
                    lua = directory / f"{script}.lua"
                    load.run_load(url, args.warmup, args.threads, args.connections, lua)
                    raw = load.run_load(url, args.duration, args.threads, args.connections, lua)
                    results.append(load.Result.from_raw(target, raw))
                    print(
                        f"  run {run + 1}: {target.name}: {results[-1].rps:,.0f} req/s",
                        file=sys.stderr,
                        flush=True,
                    )
                runs.append(results)
        finally:
            for process in servers.values():
                load.stop(process)
    for key, value in load.machine().items():
        print(f"{key}: {value}")
    print(
        f"load: -t{args.threads} -c{args.connections} -d{args.duration}s after {args.warmup}s "
        f"warm-up, {args.runs} runs, Accept-Encoding: {'gzip' if args.gzip else 'none'}"
    )
    for number, results in enumerate(runs, start=1):
        print(f"\nrun {number}\n")
        print(load.table(results))
    print("\nmedian of the runs\n")
    print("| endpoint | req/s | share of bare |")
    print("|---|---:|---:|")
    shares = []
    for i, (target, _script) in enumerate(targets):
        rps = statistics.median(run[i].rps for run in runs)
        share = statistics.median(run[i].rps / run[0].rps for run in runs)
        shares.append(share)
        print(f"| {target.name} | {rps:,.0f} | {share:.0%} |")
    article_share = min(shares[2], shares[3])
    verdict = "meets" if article_share >= args.min_share else "BELOW"
    print(
        f"\narticle/bare (median, worst of the two) = {article_share:.1%}: {verdict} the "
        f"{args.min_share:.0%} target"
    )
    if any(r.bad_status or r.socket_errors for run in runs for r in run):
        print("some requests failed (see the errors column)")
        return 1
    return 0 if article_share >= args.min_share else 1


if __name__ == "__main__":
    sys.exit(main())
