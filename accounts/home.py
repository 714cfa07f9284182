"""The start page is composed of panels that each app owns.

An app registers a panel in its AppConfig.ready(): a callable taking the request and
returning a dict with `template` and `context` (or None when it has nothing for this
user). accounts, at the bottom of the dependency graph, imports none of those apps.
"""

_panels = []


def register_home_panel(order, provider):
    _panels.append((order, provider))
    _panels.sort(key=lambda item: item[0])


def home_panels(request):
    rendered = []
    for _order, provider in _panels:
        panel = provider(request)
        if panel:
            rendered.append(panel)
    return rendered
