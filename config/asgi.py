import os

from django.core.asgi import get_asgi_application

# An empty value (as some shells and hooks pass) counts as unset.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
application = get_asgi_application()
