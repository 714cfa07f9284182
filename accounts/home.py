"""The start page is composed of panels that each app owns.

An app registers a panel in its AppConfig.ready(): a callable taking the request and
returning a dict with `template` and `context` (or None when it has nothing for this
user). accounts, at the bottom of the dependency graph, imports none of those apps.

A panel that is empty for most users (case-table actions, meetings, referrals) also
registers its `presence`: the start page asks every presence in one query and does not
ask the panels that certainly have nothing (issue 16: four empty panels were a quarter of
a mentor's start page).
"""

from django.db.models import Exists

from .registry import Registry, key_of

home_panel_registry = Registry("home panels")
home_presence_registry = Registry("start page presence")


def register_home_panel(order, provider, *, key=None, presence=None):
    """Show `provider(request)` on the start page, in `order`.

    `presence(request)`, when given, returns a queryset of the rows that could fill the
    panel for this user, or None to leave it to the panel. More rows than the panel shows
    are fine (it tells "certainly nothing" apart from "maybe something" and is never
    shown); fewer are not: the panel is then left out."""
    key = key or key_of(provider)
    home_panel_registry.add(provider, order=order, key=key)
    if presence is None:
        home_presence_registry.remove(key)
    else:
        home_presence_registry.add(presence, key=key)


def certainly_empty(request, keys):
    """The keys, among `keys`, of the panels whose presence found no row: one query for
    all of them (none when no panel has a presence for this user)."""
    from .models import User

    user = request.user
    if not user.is_authenticated:
        return set()
    asked = {}
    for key in keys:
        presence = home_presence_registry.get(key)
        rows = presence(request) if presence is not None else None
        if rows is not None:
            asked[f"has_{len(asked)}"] = (key, rows)
    if not asked:
        return set()
    found = (
        User.objects.filter(pk=user.pk)
        .annotate(**{alias: Exists(rows) for alias, (_key, rows) in asked.items()})
        .values_list(*asked)
        .first()
    )
    if found is None:  # the account is gone: let the panels answer for themselves
        return set()
    return {key for (key, _rows), has in zip(asked.values(), found, strict=True) if not has}


def home_panels(request):
    entries = home_panel_registry.items()
    empty = certainly_empty(request, [key for key, _provider in entries])
    rendered = []
    for key, provider in entries:
        if key in empty:
            continue
        panel = provider(request)
        if panel:
            rendered.append(panel)
    return rendered
