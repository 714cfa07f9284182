"""Faults as pages a person can read, never a bare "Server Error (500)".

A database that is down (or restarting, or out of connections) answers every request
with a Dutch 503 page, rendered without touching the database: no request context, so
no context processor, user or session is read. The middleware catches it in views; the
500 handler (config.urls) catches it where middleware (the session, the user) met it
first. Any other unexpected error gets the Dutch 500 page. The log says the error's
class and SQLSTATE only (config.logfilters).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .logfilters import describe

logger = logging.getLogger("koers.faults")

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120


def database_unavailable():
    """The 503 page: a template without a request, so nothing reads the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_down(error):
    return isinstance(error, DATABASE_DOWN)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_down(exception):
            return None
        logger.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.path_info,
            describe(exception),
        )
        return database_unavailable()


def server_error(request, *args, **kwargs):
    """handler500: the exception being handled decides between the 503 and 500 pages."""
    if is_database_down(sys.exc_info()[1]):
        return database_unavailable()
    return HttpResponse(render_to_string("500.html"), status=500)
