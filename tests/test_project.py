"""The project as a whole: production settings pass Django's deployment checks, secrets
come only from the environment, every setting is documented, Celery is wired as PLATFORM.md
describes, and the demo data loads idempotently."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


def run_python(args, *, env_overrides, drop=(), cwd=BASE_DIR):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env():
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "koers.example.nl",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def test_check_deploy_with_production_settings_has_no_warnings():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env_overrides=production_env(),
        # The variables below would weaken production defaults if a developer set them.
        drop=(
            # Set by the browser tests' conftest in this process; never in production.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SILENCED_SYSTEM_CHECKS",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_flags_debug_on_in_production():
    """The check above can fail: with DEBUG on, --deploy warns (security.W018)."""
    env = production_env() | {"DEBUG": "true"}
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env_overrides=env
    )
    assert result.returncode != 0
    assert "W018" in result.stdout + result.stderr


@pytest.fixture
def settings_copy(tmp_path):
    """config/settings.py in a folder without .env, so only the environment counts."""
    (tmp_path / "config").mkdir()
    shutil.copy(BASE_DIR / "config" / "settings.py", tmp_path / "config" / "settings.py")
    return tmp_path / "config" / "settings.py"


LOAD_SETTINGS = (
    "import importlib.util, sys; "
    "spec = importlib.util.spec_from_file_location('koers_settings', sys.argv[1]); "
    "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
    "print('loaded', module.DEBUG)"
)


def test_settings_refuse_to_start_without_secret_key(settings_copy):
    result = run_python(
        ["-c", LOAD_SETTINGS, str(settings_copy)], env_overrides={}, drop=("SECRET_KEY",)
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "loaded" not in result.stdout


def test_settings_refuse_an_empty_secret_key(settings_copy):
    result = run_python(
        ["-c", LOAD_SETTINGS, str(settings_copy)], env_overrides={"SECRET_KEY": " "}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_start_with_a_secret_key_from_the_environment(settings_copy):
    result = run_python(
        ["-c", LOAD_SETTINGS, str(settings_copy)],
        env_overrides={"SECRET_KEY": secrets.token_urlsafe(50)},
        drop=("DEBUG",),
    )
    assert result.returncode == 0, result.stderr
    # Without DEBUG in the environment (and no .env) production is the default.
    assert "loaded False" in result.stdout


def test_env_example_explains_every_variable_the_settings_read():
    settings_source = (BASE_DIR / "config" / "settings.py").read_text()
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read
    example = (BASE_DIR / ".env.example").read_text().splitlines()
    documented = {}
    for index, line in enumerate(example):
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]+)=", line)
        if match:
            documented[match.group(1)] = example[index - 1] if index else ""
    missing = sorted(read - set(documented))
    assert not missing, f".env.example lacks {missing}"
    for name in read:
        # One explaining comment right above each variable (not another variable).
        comment = documented[name]
        assert comment.startswith("# "), name
        assert not re.match(r"^# [A-Z][A-Z0-9_]+=", comment), name


CELERY_PROBE = (
    "import django; django.setup(); from config.celery import app; "
    "print(app.conf.broker_url.split(':')[0], app.conf.task_always_eager, "
    "sorted(app.conf.broker_transport_options))"
)


def test_celery_uses_the_filesystem_broker_without_redis_url():
    result = run_python(
        ["-c", CELERY_PROBE],
        env_overrides={"DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": ""},
        drop=("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"),
    )
    assert result.returncode == 0, result.stderr
    broker, eager, options = result.stdout.split(maxsplit=2)
    assert broker == "filesystem"
    assert eager == "False"  # a real worker, not eager mode
    assert "data_folder_in" in options


def test_celery_uses_redis_when_redis_url_is_set():
    result = run_python(
        ["-c", CELERY_PROBE],
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "REDIS_URL": "redis://127.0.0.1:6379/9",
        },
        drop=("CELERY_BROKER_URL",),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "redis"


def test_every_periodic_job_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: unknown task {entry['task']}"


@pytest.mark.django_db
def test_seed_demo_creates_every_demo_account_and_a_second_run_changes_nothing(settings):
    from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from accounts.models import Membership, User
    from students.models import Enrolment, RecordChange, Student

    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        Student.objects.count(),
        Enrolment.objects.count(),
        RecordChange.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        Student.objects.count(),
        Enrolment.objects.count(),
        RecordChange.objects.count(),
    )
    assert 300 <= counts[2] <= 600
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        membership = user.memberships.get()
        assert (membership.role, membership.organisation.name) == (
            account.role,
            account.organisation,
        )
    admin = User.objects.get(email="admin@koers.demo")
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.has_perm("accounts.change_municipality")
    assert not admin.has_perm("students.view_student")
    assert Student.objects.filter(mentor__email="mentor@horizon.demo").count() >= 20
    # Every demo student's creation is in its history (later apps add their own changes).
    assert (
        RecordChange.objects.filter(source="demo", action="create", record_type="student").count()
        == counts[2]
    )


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
