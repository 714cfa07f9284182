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
