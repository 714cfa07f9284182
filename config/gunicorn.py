"""gunicorn settings for Koers (`gunicorn -c config/gunicorn.py config.wsgi`).

The access log leaves out query strings: a search box can receive a name or, despite
the hint, a BSN, and neither may end up in a log line (ACCESS.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
# %(U)s is the path without the query string; no %(r)s, %(q)s or referer.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _filter_database_errors():
    """gunicorn's own loggers (its handlers are not Django's LOGGING) get the filter that
    leaves a database error's class and SQLSTATE only (config.logfilters)."""
    import logging

    from config.logfilters import DatabaseErrorFilter

    database_errors = DatabaseErrorFilter()
    for name in ("gunicorn.error", "gunicorn.access"):
        logger = logging.getLogger(name)
        logger.addFilter(database_errors)
        for handler in logger.handlers:
            handler.addFilter(database_errors)


def when_ready(server):
    _filter_database_errors()


def post_fork(server, worker):
    _filter_database_errors()
