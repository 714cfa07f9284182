"""The web benchmark's load generator (runs in var/bench-venv, with aiohttp).

    var/bench-venv/bin/python bench/loadgen.py PLAN.json  ->  JSON results on stdout

PLAN: {"base": "http://127.0.0.1:PORT", "concurrency": 16, "seconds": 20, "warmup": 2,
       "pages": [{"name", "method", "cookie", "requests": [[path, form-or-null], ...],
                  "expect": [200], "headers": {...}}]}

Each page is driven alone: `concurrency` connections send requests back to back (each
takes the next of the page's request list, round robin) for `warmup` seconds, which are
not counted, and then for `seconds`. Only loopback addresses are accepted, redirects are
not followed, every body is read to the end; before each page the generator waits until
/healthz answers within a second (the server is idle again). A response with a status outside `expect`
counts as an error (a redirect to the login page too). req/s is the requests that ended
after the warm-up divided by the time from there until the last one ended.
"""

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

import aiohttp

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


async def drive(session, base, page, concurrency, seconds, warmup):
    requests = page["requests"]
    method = page.get("method", "GET")
    expect = set(page.get("expect", [200]))
    headers = {"Cookie": page.get("cookie", ""), **page.get("headers", {})}
    counter = {"next": 0}
    latencies, statuses, errors = [], {}, []
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    async def worker():
        while True:
            now = time.perf_counter()
            if now >= stop:
                return
            path, form = requests[counter["next"] % len(requests)]
            counter["next"] += 1
            began = time.perf_counter()
            try:
                async with session.request(
                    method, base + path, data=form, headers=headers, allow_redirects=False
                ) as response:
                    await response.read()
                    status = response.status
                    # A redirect to the login is a lost session, not a success.
                    if status == 302 and "/accounts/" in response.headers.get("Location", ""):
                        status = "302-login"
            except (TimeoutError, aiohttp.ClientError) as error:
                status = type(error).__name__
            ended = time.perf_counter()
            # Counted when it ends in the window (a slow page's request may have begun
            # in the warm-up); none begins after it, the last ones are waited for.
            if ended >= measure_from:
                latencies.append(ended - began)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status not in expect and len(errors) < 5:
                    errors.append(f"{status} {path}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    count = len(latencies)
    elapsed = max(time.perf_counter(), stop) - measure_from
    failed = sum(n for status, n in statuses.items() if status not in {str(s) for s in expect})
    return {
        "name": page["name"],
        "requests": count,
        "rps": count / elapsed,
        "seconds": elapsed,
        "p50_ms": (percentile(latencies, 0.50) or 0) * 1000,
        "p95_ms": (percentile(latencies, 0.95) or 0) * 1000,
        "p99_ms": (percentile(latencies, 0.99) or 0) * 1000,
        "errors": failed,
        "statuses": statuses,
        "error_samples": errors,
    }


async def drain(session, base, limit=300):
    """Wait until the server answers /healthz within a second again: requests of a slow
    page (and those its timed-out connections left queued) must not be measured as the
    next page's."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        try:
            async with session.get(base + "/healthz", allow_redirects=False) as response:
                await response.read()
        except (TimeoutError, aiohttp.ClientError):
            continue
        if time.perf_counter() - began < 1:
            return


async def main(plan):
    base = plan["base"]
    if urlsplit(base).hostname not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback address: {base}")
    connector = aiohttp.TCPConnector(limit=plan["concurrency"], force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    results = []
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        for page in plan["pages"]:
            await drain(session, base)
            result = await drive(
                session, base, page, plan["concurrency"], plan["seconds"], plan["warmup"]
            )
            print(json.dumps({"progress": result}), file=sys.stderr, flush=True)
            results.append(result)
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(asyncio.run(main(json.load(handle)))))
