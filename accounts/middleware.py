SESSION_KEY = "koers_active_membership"


class ActiveMembershipMiddleware:
    """Acts for a user in the membership they chose (stored in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.set_active_membership(request.session.get(SESSION_KEY))
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """Dutch unless the user chose another language with the switcher (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; Koers is a Dutch
    product whose users share screens and printouts, so the language is an explicit choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
