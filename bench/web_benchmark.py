"""The web benchmark (issue 16): the pages through the whole stack, under load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/koers_bench make bench-web
    BENCH_ARGS="--students 100000 --seconds 20 --reuse --profile 'name search'"

1. Builds or reuses the synthetic population (`monitoring.synthetic`, seed 1) in the
   PostgreSQL database of DATABASE_URL (SQLite is refused): migrates, tops the
   population up to `--students` (default 500,000; `--reuse` keeps what is there),
   VACUUM ANALYZE, and runs the monitoring sweep for today so the attention lists have
   signals.
2. Makes the personas (coordinator of Horizon College, one of its synthetic mentors,
   Leerplicht and Doorstroompunt Noord-Holland Noord, the regional coordinator), each
   with a password and a confirmed TOTP device created in code.
3. Serves the database as production does: `collectstatic`, then gunicorn with
   `config/gunicorn.py`, 3 sync workers, DEBUG off, on 127.0.0.1 and a free port. Only
   the transport differs from production (plain HTTP on loopback: no SSL redirect, no
   secure cookies) and the search rate limit is lifted (60 a minute would turn the search
   into 429s).
4. Logs every persona in through the real login page and the second factor (the TOTP
   code computed from the device's key), and keeps the session cookie.
5. Drives each page alone for `--seconds` (default 20, after 2 s of warm-up) at 16
   concurrent connections with the load generator of `bench/loadgen.py` (aiohttp, in its
   own venv `var/bench-venv`, see bench/requirements.txt), `/healthz` first as the floor.
6. Prints p50/p95/p99, req/s, errors and the ratios to the floor per page, the verdict
   against the goals of issue 16, and writes the JSON result to bench/results/.
7. After the load, the name search's SQL: the statements the coordinator's search
   request issues (captured in this process, through the whole middleware stack), each
   run under EXPLAIN ANALYZE, against the read of the trigram index alone (the Bitmap
   Index Scan on student_school_search inside them); goal <= 3x, median of 5.

`--profile NAME` drives that page once more while py-spy samples the gunicorn workers,
and prints where the time goes (the project's own functions, by samples).
"""

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench-web"
BENCH_VENV = Path(os.environ.get("BENCH_VENV", ROOT / "var" / "bench-venv"))
SEED = 1
PASSWORD = secrets.token_urlsafe(16)  # fresh per run; set on the personas below
CONCURRENCY = 16
WORKERS = 3
STUDENT_PAGES = 300
SEARCH = "Jansen"
SCHOOL = "Horizon College"
REGION = "Noord-Holland Noord"

# The goals of issue 16: (throughput >= share of the floor's, p95 <= multiple of the
# floor's p95). The dashboard's goal is against one SQL statement: no verdict here.
GOAL_STUDENT = (0.15, 5)
GOAL_PAGE = (0.10, 6)
GOAL_SEARCH_SQL = 3.0
SEARCH_INDEX = "student_school_search"


def _fail(message):
    raise SystemExit(f"bench-web: {message}")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        _fail("DATABASE_URL must name a PostgreSQL database (SQLite is refused)")
    return connection


def build_population(students, reuse, today):
    from django.core.management import call_command
    from django.db import connection

    from monitoring.models import Signal
    from monitoring.synthetic import NUMBER_PREFIX, generate
    from students.models import Student

    call_command("migrate", verbosity=0, interactive=False)
    have = Student.objects.filter(student_number__startswith=NUMBER_PREFIX).count()
    made = False
    if not reuse and have < students:
        print(f"generating {students - have:,} synthetic students (have {have:,}) ...")
        started = time.perf_counter()
        result = generate(students=students - have, seed=SEED + have, today=today)
        print(
            f"  {result.rows:,} rows ({result.activity:,} step, contact and history rows) "
            f"in {time.perf_counter() - started:.0f} s"
        )
        made = True
        have = students
    elif have == 0:
        _fail("no synthetic population to reuse")
    if made:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
    if made or not Signal.objects.exists():
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("run_checks", today=today, verbosity=0, stdout=quiet)
        # The sweep wrote 100,000+ signals after the VACUUM ANALYZE: without statistics
        # the planner thinks a Doorstroompunt has one open signal and sorts all 14,000
        # of them for the attention list (180 ms instead of 1 ms). In production
        # autovacuum analyzes a table once a tenth of it changed; this does not wait.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  monitoring sweep and ANALYZE in {time.perf_counter() - started:.0f} s")
    return have


def _persona(email, organisation, role):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, User

    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": "Bench"})
    return _ready(user, organisation, role, TOTPDevice, Membership)


def _ready(user, organisation, role, TOTPDevice, Membership):
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    device = TOTPDevice.objects.filter(user=user, confirmed=True, name="bench").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    device.last_t = -1  # a code may be used once per window: allow a rerun within it
    device.save()
    return user


def make_personas():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, Organisation
    from monitoring.synthetic import MENTOR_DOMAIN

    school = Organisation.objects.get(name=SCHOOL)
    mentor_user = (
        Membership.objects.filter(
            organisation=school, role="mentor", user__email__endswith=MENTOR_DOMAIN
        )
        .order_by("user_id")
        .first()
    )
    if mentor_user is None:
        _fail(f"no synthetic mentor at {SCHOOL}")
    return {
        "coordinator": _persona("coordinator@bench.invalid", school, "school_coordinator"),
        "mentor": _ready(mentor_user.user, school, "mentor", TOTPDevice, Membership),
        "leerplicht": _persona(
            "leerplicht@bench.invalid",
            Organisation.objects.get(kind="leerplicht", region__name=REGION),
            "leerplicht",
        ),
        "doorstroompunt": _persona(
            "dsp@bench.invalid",
            Organisation.objects.get(kind="doorstroompunt", region__name=REGION),
            "doorstroompunt",
        ),
        "regional coordinator": _persona(
            "regio@bench.invalid", Organisation.objects.get(kind="region", region__name=REGION),
            "regional_coordinator",
        ),
    }  # fmt: skip


def totp_code(user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, name="bench", confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def fixtures(personas, today):
    """The request lists: 300 students of the coordinator, step candidates, a meeting."""
    from django.db.models import Exists, OuterRef

    from accounts.models import Organisation
    from doorstroomtafel.models import Meeting
    from monitoring.models import Signal
    from roadmap.models import StudyAdviceStep
    from students.models import Enrolment, Student

    def scoped(user):
        user.refresh_from_db()
        return Student.objects.visible_to(user, today=today)

    school = Organisation.objects.get(name=SCHOOL)
    coordinator = personas["coordinator"]
    ids = list(scoped(coordinator).order_by("pk").values_list("pk", flat=True))
    if len(ids) < STUDENT_PAGES:
        _fail(f"the coordinator sees {len(ids)} students, fewer than {STUDENT_PAGES}")
    every = len(ids) // STUDENT_PAGES
    chosen = ids[::every][:STUDENT_PAGES]
    public_ids = dict(Student.objects.filter(pk__in=chosen).values_list("pk", "public_id"))
    student_pages = [f"/students/{public_ids[pk]}/" for pk in chosen]
    # Entree enrolments of the school without a study advice yet: each POST logs one.
    # The advice an earlier run logged is taken back first (with its history rows), so
    # a run with --reuse has as many to log as the first (else its POSTs repeat and fail).
    from students.models import RecordChange

    earlier = list(StudyAdviceStep.objects.filter(author=coordinator).values_list("pk", flat=True))
    if earlier:
        RecordChange.objects.filter(
            record_type=StudyAdviceStep._meta.model_name, record_id__in=earlier
        ).delete()
        StudyAdviceStep.objects.filter(pk__in=earlier).delete()
        print(f"  took back {len(earlier):,} study advices logged by an earlier run")
    open_steps = list(
        Enrolment.objects.filter(institution=school, level="entree", end_date__isnull=True,
                                 start_date__lte=today)
        .exclude(Exists(StudyAdviceStep.objects.filter(enrolment=OuterRef("pk"))))
        .order_by("pk")
        .values_list("student__public_id", "pk")[:20_000]
    )  # fmt: skip
    dsp = personas["doorstroompunt"]
    dsp_org = dsp.memberships.get().organisation_id
    meeting = (
        Meeting.objects.filter(
            table__member_organisations=dsp_org, status="planned", items__isnull=False
        )
        .order_by("-pk")
        .first()
    )
    kinds = Counter(
        Signal.objects.filter(organisation_id=dsp_org, status="open").values_list("kind", flat=True)
    )
    return {
        "student_pages": student_pages,
        "open_steps": open_steps,
        "meeting": meeting.public_id if meeting else None,
        "attention_kind": kinds.most_common(1)[0][0] if kinds else "",
        "in_scope": {name: scoped(user).count() for name, user in personas.items()},
    }


def start_server(port, env):
    WORK.mkdir(parents=True, exist_ok=True)
    log = open(WORK / "gunicorn.log", "w")  # noqa: SIM115 - the server's, for its lifetime
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _fail(f"gunicorn exited (see {WORK / 'gunicorn.log'})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    _fail("gunicorn did not answer /healthz within 60 s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base, user):
    """The real login: the form with its CSRF token, then the second factor."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def call(path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(base + path, data=data)  # noqa: S310 - loopback http
        try:
            with opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as error:  # 302 arrives here without a redirect handler
            return error.code, error.read().decode(), error.headers

    def token(html):
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            _fail("no CSRF token on the page")
        return found.group(1)

    _, html, _ = call("/accounts/login/")
    status, _, headers = call("/accounts/login/", {
        "csrfmiddlewaretoken": token(html), "username": user.email, "password": PASSWORD,
    })  # fmt: skip
    if status != 302:
        _fail(f"login of {user.email} answered {status}")
    _, html, _ = call("/accounts/tweestaps/")
    status, _, headers = call("/accounts/tweestaps/", {
        "csrfmiddlewaretoken": token(html), "token": totp_code(user),
    })  # fmt: skip
    if status != 302:
        _fail(f"second factor of {user.email} answered {status}")
    status, html, _ = call("/")
    if status != 200:
        _fail(f"start page of {user.email} answered {status} after the login")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    csrf = next((c.value for c in jar if c.name == "csrftoken"), "")
    return {
        "cookie": cookie,
        "csrf": csrf,
        "form_token": token(html) if "csrfmiddlewaretoken" in html else csrf,
    }


def plan_pages(sessions, data, today, total_seconds):
    def get(name, persona, paths, expect=(200,)):
        return {
            "name": name, "persona": persona, "method": "GET", "cookie": sessions[persona]["cookie"],
            "requests": [[path, None] for path in paths], "expect": list(expect),
        }  # fmt: skip

    coordinator = sessions["coordinator"]
    posts = [
        [f"/route/{public_id}/{enrolment}/study-advice/",
         {"csrfmiddlewaretoken": coordinator["form_token"], "date": today.isoformat(),
          "advice": "continue", "note": "", "version": ""}]
        for public_id, enrolment in data["open_steps"]
    ]  # fmt: skip
    # Filters nobody used today: every request a different reference date (peildatum).
    dashboards = [
        f"/rapportages/?peildatum={(today - timedelta(days=n)).isoformat()}&niveau="
        + ["entree", "2", "3", "4"][n % 4]
        for n in range(1, 2000)
    ]
    pages = [
        get("healthz (floor)", "coordinator", ["/healthz"]),
        get("student page (coordinator, 300 students)", "coordinator", data["student_pages"]),
        get("student list (coordinator)", "coordinator", ["/students/"]),
        get(f'name search "{SEARCH}" (coordinator)', "coordinator", [f"/students/?q={SEARCH}"]),
    ]
    for persona in sessions:
        scope = data["in_scope"][persona]
        pages.append(get(f"start page, {persona} ({scope:,} in scope)", persona, ["/"]))
    pages.append({
        "name": "logging a step (POST, coordinator)", "persona": "coordinator", "method": "POST",
        "cookie": coordinator["cookie"], "requests": posts, "expect": [302],
        "headers": {"X-CSRFToken": coordinator["csrf"], "Referer": "http://127.0.0.1/"},
    })  # fmt: skip
    if data["attention_kind"]:
        kind = data["attention_kind"]
        pages.append(get(f"attention list, doorstroompunt ({kind})", "doorstroompunt",
                         [f"/?signal_kind={kind}"]))  # fmt: skip
    if data["meeting"]:
        pages.append(get("case-table agenda (doorstroompunt)", "doorstroompunt",
                         [f"/doorstroomtafel/{data['meeting']}/"]))  # fmt: skip
    if len(posts) < total_seconds * 50:
        print(f"  note: {len(posts):,} enrolments to log a step on; later POSTs repeat them")
    pages.append(get("dashboard, filters nobody used today (regional coordinator)",
                     "regional coordinator", dashboards))  # fmt: skip
    return pages


def run_load(base, pages, seconds, warmup=2):
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        _fail(f"no load generator venv at {BENCH_VENV}: run `make bench-web` (it makes it)")
    plan = {"base": base, "concurrency": CONCURRENCY, "seconds": seconds, "warmup": warmup,
            "pages": pages}  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        process = subprocess.Popen(
            [str(python), str(ROOT / "bench" / "loadgen.py"), handle.name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for line in process.stderr:
            if line.startswith('{"progress"'):
                result = json.loads(line)["progress"]
                print(f"  {result['name']}: {result['rps']:.1f} req/s, p95 {result['p95_ms']:.0f} ms, "
                      f"{result['errors']} errors", flush=True)  # fmt: skip
            else:
                sys.stderr.write(line)
        out = process.stdout.read()
        if process.wait() != 0:
            _fail("the load generator failed")
        return json.loads(out)
    finally:
        os.unlink(handle.name)


def goal_for(name):
    if name.startswith("healthz"):
        return None
    if name.startswith("dashboard"):
        return None
    if name.startswith("student page"):
        return GOAL_STUDENT
    return GOAL_PAGE


def judge(results):
    floor = results[0]
    rows = []
    for result in results:
        rps_ratio = result["rps"] / floor["rps"] if floor["rps"] else 0
        p95_ratio = result["p95_ms"] / floor["p95_ms"] if floor["p95_ms"] else 0
        goal = goal_for(result["name"])
        verdict = "floor" if result is floor else "no goal here"
        if goal is not None:
            ok = rps_ratio >= goal[0] and p95_ratio <= goal[1] and result["errors"] == 0
            verdict = ("PASS" if ok else "FAIL") + f" (>= {goal[0]:.2f}x, p95 <= {goal[1]}x)"
        rows.append({**result, "rps_ratio": rps_ratio, "p95_ratio": p95_ratio, "verdict": verdict})
    return rows


def print_table(rows):
    print()
    print(f"{'page':<62} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7} {'err':>4} "
          f"{'x floor':>7} {'p95 x':>6}  verdict")  # fmt: skip
    for row in rows:
        print(
            f"{row['name'][:62]:<62} {row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} "
            f"{row['p99_ms']:>7.0f} {row['rps']:>7.1f} {row['errors']:>4} "
            f"{row['rps_ratio']:>7.3f} {row['p95_ratio']:>6.1f}  {row['verdict']}"
        )
    print("(milliseconds; 'x floor' is the throughput as a share of /healthz's in this run)")


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def search_sql(user, text, runs=5):
    """The search's SQL (every statement of its request that reads students) against
    the trigram index read alone, timed by EXPLAIN ANALYZE: median of `runs`."""
    from statistics import median

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, name="bench", confirmed=True)
    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        url = f"/students/?{urllib.parse.urlencode({'q': text})}"
        client.get(url)  # warm: the statements run once before they are captured
        with CaptureQueriesContext(connection) as captured:
            if client.get(url).status_code != 200:
                _fail("the search page did not answer 200")
    statements = [
        query["sql"] for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and '"students_student"' in query["sql"]
    ]  # fmt: skip
    totals, scans = [], []
    for _ in range(runs):
        total = scan = 0.0
        for sql in statements:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)  # nosec B608 - captured
                plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            total += plan["Execution Time"]
            scan += sum(
                node["Actual Total Time"] for node in _plan_nodes(plan["Plan"])
                if node.get("Index Name") == SEARCH_INDEX
            )  # fmt: skip
        totals.append(total)
        scans.append(scan)
    total, scan = median(totals), median(scans)
    ratio = total / scan if scan else float("inf")
    verdict = "PASS" if ratio <= GOAL_SEARCH_SQL else "FAIL"
    print(f"\nname search {text!r}, its SQL: {len(statements)} statements reading students, "
          f"{total:.1f} ms; the trigram index read alone ({SEARCH_INDEX}) {scan:.1f} ms; "
          f"{ratio:.2f}x, {verdict} (<= {GOAL_SEARCH_SQL:.0f}x)")  # fmt: skip
    return {"statements": len(statements), "sql_ms": total, "index_ms": scan, "ratio": ratio,
            "verdict": verdict}  # fmt: skip


PROJECT_DIRS = ("accounts/", "students/", "roadmap/", "monitoring/", "referrals/",
                "doorstroomtafel/", "reports/", "config/")  # fmt: skip
DJANGO_STEPS = ("django/template/", "django/db/models/sql/compiler.py", "django/middleware/",
                "django/contrib/sessions/", "django/contrib/auth/")  # fmt: skip


def summarise_profile(path):
    """py-spy's raw (collapsed) stacks -> samples per function, inclusive and own.

    Inclusive counts go to the project's functions and to a few Django steps (template
    rendering, SQL compilation and execution, middleware), each once per stack.
    """
    own, inclusive, total = Counter(), Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames or not count.isdigit():
            continue
        count = int(count)
        total += count
        own[frames[-1]] += count
        seen = set()
        for frame in frames:
            name, _, where = frame.rpartition(" (")
            file = where.split(":")[0]
            if file.startswith(PROJECT_DIRS):
                key = f"{name} ({file})"
            elif file.startswith(DJANGO_STEPS):
                key = f"[django] {file}"
            elif "psycopg/" in file and name.endswith(("execute", "_execute_send", "wait")):
                key = "[psycopg] waiting for PostgreSQL"
            else:
                continue
            if key not in seen:
                seen.add(key)
                inclusive[key] += count
    return {"samples": total, "inclusive": inclusive.most_common(40), "own": own.most_common(20)}


def profile(base, page, seconds, server_pid):
    """Drive one page while py-spy samples the workers; the project's hottest functions."""
    spy = BENCH_VENV / "bin" / "py-spy"
    out = WORK / f"profile-{re.sub(r'[^a-z0-9]+', '-', page['name'].lower())[:40]}.txt"
    recorder = subprocess.Popen(
        [str(spy), "record", "--subprocesses", "--pid", str(server_pid), "--duration",
         str(seconds + 2), "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1)
    run_load(base, [page], seconds, warmup=0)
    recorder.wait(timeout=120)
    if not out.exists():
        print(f"  py-spy wrote nothing: {recorder.stderr.read()[-300:]}")
        return None
    summary = summarise_profile(out)
    total, inclusive, own = summary["samples"], summary["inclusive"], summary["own"]
    print(f"\nprofile of {page['name']} ({total} samples; {out.relative_to(ROOT)}):")
    print("  where the time goes (inclusive: the project's functions and Django's main steps):")
    for frame, count in inclusive[:30]:
        print(f"    {100 * count / max(total, 1):5.1f}%  {frame}")
    print("  hottest leaf frames (own time):")
    for frame, count in own[:12]:
        print(f"    {100 * count / max(total, 1):5.1f}%  {frame[:110]}")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the population there is")
    parser.add_argument(
        "--only",
        default="",
        help="drive only the pages whose name contains one of these (comma-separated)",
    )
    parser.add_argument("--profile", action="append", default=[],
                        help="profile the page whose name contains this (py-spy)")  # fmt: skip
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        _fail("set DATABASE_URL to a PostgreSQL database (SQLite is refused)")
    if not 1 <= args.seconds <= 300:
        _fail("--seconds must be between 1 and 300")
    setup_django()
    from django.utils import timezone

    today = timezone.localdate()
    students = build_population(args.students, args.reuse, today)
    personas = make_personas()
    # The nightly precompute of the default dashboards, as production runs it (Celery
    # beat): the start page of a coordinator shows those figures and never computes
    # them itself (a first computation at 500,000 students outlasts gunicorn's timeout).
    from reports.precompute import precompute_dashboards

    started = time.perf_counter()
    done = precompute_dashboards(today)
    print(f"  nightly dashboard precompute: {done['dashboards']} dashboards in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    data = fixtures(personas, today)
    print(f"population: {students:,} synthetic students; in scope: "
          + ", ".join(f"{name} {count:,}" for name, count in data["in_scope"].items()))  # fmt: skip

    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "KOERS_RATE_SEARCH": "1000000",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    server = start_server(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        sessions = {name: login(base, user) for name, user in personas.items()}
        print(f"served on {base} (gunicorn, {WORKERS} workers, DEBUG off); "
              f"logged in: {', '.join(sessions)}")  # fmt: skip
        pages = all_pages = plan_pages(sessions, data, today, args.seconds)
        if args.only:
            wanted = [w.strip().lower() for w in args.only.split(",") if w.strip()]
            pages = [pages[0]] + [
                p for p in pages[1:] if any(w in p["name"].lower() for w in wanted)
            ]
        print(f"driving {len(pages)} pages, {args.seconds} s each at {CONCURRENCY} connections")
        rows = judge(run_load(base, pages, args.seconds))
        print_table(rows)
        profiles = {}
        for wanted in args.profile:
            page = next((p for p in all_pages if wanted.lower() in p["name"].lower()), None)
            if page is None:
                print(f"no page matches {wanted!r}")
                continue
            if page["method"] == "POST":
                page = {**page, "requests": page["requests"][len(page["requests"]) // 2 :]}
            profiles[page["name"]] = profile(base, page, args.seconds, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    search = search_sql(personas["coordinator"], SEARCH)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"web-{students}-{stamp}.json"
    path.write_text(json.dumps({
        "students": students, "seconds": args.seconds, "concurrency": CONCURRENCY,
        "workers": WORKERS, "today": today.isoformat(), "in_scope": data["in_scope"],
        "pages": rows, "profiles": profiles, "search_sql": search,
        "load_average": os.getloadavg(),
    }, indent=2))  # fmt: skip
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
