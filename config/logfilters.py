"""Log records never carry a database error's text or a query's parameters.

PostgreSQL's messages quote row values ("DETAIL: Failing row contains (..., 123456782,
...)"), so a BSN typed in a note would reach the log with an IntegrityError; the
query log of `django.db.backends` carries the parameters of every query. The filter
rewrites such a record in place before any handler formats it:

- a database error (Django's wrapper, psycopg's or sqlite3's, also as the cause or
  context of another exception) becomes "ClassName (SQLSTATE xxxxx)": in the message,
  in its arguments and in the traceback, whose frames stay (no values in them);
- a query record keeps its duration and alias, without SQL or parameters.

Installed on the root handler and on the loggers that report such errors (settings.
LOGGING; gunicorn's loggers in config/gunicorn.py). Imports nothing that needs settings.
"""

import logging
import sqlite3

from django.db.utils import Error as DjangoDatabaseError

try:  # PostgreSQL's driver, when installed
    import psycopg
except ImportError:  # pragma: no cover - always installed with the project
    psycopg = None

DATABASE_ERRORS = (DjangoDatabaseError, sqlite3.Error) + ((psycopg.Error,) if psycopg else ())


def _chain(error):
    """The error and every exception it was raised from or during."""
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def _sqlstate(error):
    for item in _chain(error):
        code = getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
        if code:
            return code
    return None


def describe(error):
    """What a log may say about a database error: its class and SQLSTATE only."""
    code = _sqlstate(error)
    name = type(error).__name__
    return f"{name} (SQLSTATE {code})" if code else name


def _is_database_error(error):
    return any(isinstance(item, DATABASE_ERRORS) for item in _chain(error))


class _Scrubbed(Exception):
    """Stands in for a database error in a record's traceback."""


def _scrub_text(text, errors):
    for error in errors:
        for item in _chain(error):
            for variant in (repr(item), str(item), *str(item).splitlines()):
                variant = variant.strip()
                if len(variant) > 3 and variant in text:
                    text = text.replace(variant, describe(error))
    return text


class DatabaseErrorFilter(logging.Filter):
    def filter(self, record):
        if record.name.startswith("django.db.backends") and hasattr(record, "sql"):
            duration = getattr(record, "duration", None) or 0.0
            record.msg = "(%.3f) query; alias=%s"
            record.args = (duration, getattr(record, "alias", "?"))
            record.sql = record.params = None
            return True
        errors = []
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None and _is_database_error(exc_info[1]):
            errors.append(exc_info[1])
        args = record.args
        if isinstance(args, tuple):
            errors.extend(a for a in args if isinstance(a, BaseException) and _is_database_error(a))
        elif isinstance(args, dict):
            errors.extend(
                a for a in args.values() if isinstance(a, BaseException) and _is_database_error(a)
            )
        if not errors:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format: keep the template only
            message = str(record.msg)
        record.msg = _scrub_text(message, errors)
        record.args = None
        if exc_info and exc_info[1] in errors:
            error = exc_info[1]
            stand_in = _Scrubbed(describe(error))
            record.exc_info = (_Scrubbed, stand_in, exc_info[2])
            record.exc_text = None
        return True
