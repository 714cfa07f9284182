"""The start page is composed of panels that each app owns.

An app registers a panel in its AppConfig.ready(): a callable taking the request and
returning a dict with `template` and `context` (or None when it has nothing for this
user). accounts, at the bottom of the dependency graph, imports none of those apps.
"""

from .registry import Registry

home_panel_registry = Registry("home panels")


def register_home_panel(order, provider, *, key=None):
    home_panel_registry.add(provider, order=order, key=key)


def home_panels(request):
    rendered = []
    for provider in home_panel_registry:
        panel = provider(request)
        if panel:
            rendered.append(panel)
    return rendered
