"""The benchmarks' own PostgreSQL database, set up the same way for each of them.

    from bench._db import drop_database, setup_database

    url = setup_database(args.database, recreate=not args.keep_data)
    ...
    drop_database(url, args.database)

`setup_database` checks that DATABASE_URL names a PostgreSQL server and the database name
is a plain identifier, (re)creates the database, points DATABASE_URL at it, sets up Django
from the project root and migrates (printing how long that took).
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def server_url(url, database):
    """`url` with `database` as its database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def recreate_database(url, name):
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url, name):
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_database(name, *, recreate=True):
    """Create (or, with `recreate` False, reuse) the database `name` on the server of
    DATABASE_URL, set Django up on it and migrate. Returns the server's URL as given."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server")
    if not name.isidentifier():
        sys.exit("--database must be a plain identifier")
    if recreate:
        recreate_database(url, name)
    os.environ["DATABASE_URL"] = server_url(url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    return url
