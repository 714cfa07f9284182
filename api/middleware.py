"""Every answer under /api/ carries the `API-Version` header (REST API Design Rules) and
is never stored by a cache (it may hold personal data; a browser session's 401 as much as
a client's 200)."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class ApiVersionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            response["API-Version"] = settings.KOERS_API_VERSION
            patch_cache_control(response, no_store=True, private=True)
        return response
