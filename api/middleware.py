"""Every answer under /api/ carries the `API-Version` header (REST API Design Rules)."""

from django.conf import settings


class ApiVersionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            response["API-Version"] = settings.KOERS_API_VERSION
        return response
