"""The start page is composed of panels that each app owns.

An app registers a panel in its AppConfig.ready(): a callable taking the request and
returning a dict with `template` and `context` (or None when it has nothing for this
user). accounts, at the bottom of the dependency graph, imports none of those apps.

A panel that is empty for most users (case-table actions, meetings, referrals) also
registers its `presence`: the start page asks every presence in one query and does not
ask the panels that certainly have nothing (issue 16: four empty panels were a quarter of
a mentor's start page).
"""

from django.db import connection
from django.db.models import Exists
from django.utils import timezone

from .registry import Registry, key_of

home_panel_registry = Registry("home panels")
home_presence_registry = Registry("start page presence")


def register_home_panel(order, provider, *, key=None, presence=None):
    """Show `provider(request)` on the start page, in `order`.

    `presence(request)`, when given, returns a queryset of the rows that could fill the
    panel for this user, or None to leave it to the panel. It may hold more rows than the
    panel shows (it only tells "certainly nothing" apart from "maybe something" and is
    never shown), never fewer: when it finds nothing the panel is not asked at all. It
    may read who asks and the day, never the database (its SQL is kept, see below)."""
    key = key or key_of(provider)
    home_panel_registry.add(provider, order=order, key=key)
    if presence is None:
        home_presence_registry.remove(key)
    else:
        home_presence_registry.add(presence, key=key)


# The presence statement depends only on who asks (the user, the membership they act in,
# its role and organisation) and on the day: it is compiled once per process for each and
# then run as it is (issue 16: the ORM's compiler cost more than PostgreSQL's answer). A
# presence reads no database while it is built, so nothing else can change its SQL (a test
# holds every registered presence to that); the rows are asked anew on every request.
_statements: dict = {}
_STATEMENTS_KEPT = 4096


def _presence_statement(request, keys):
    """(the panels' keys in the statement's column order, its SQL, its parameters), or
    None when no panel has a presence for this user."""
    from .models import User

    user = request.user
    membership = user.active_membership
    presences = tuple((key, home_presence_registry.get(key)) for key in keys)
    cache_key = (
        connection.alias,
        connection.settings_dict["NAME"],
        user.pk,
        user.is_active,
        membership and (membership.pk, membership.role, membership.organisation_id),
        timezone.localdate(),
        presences,
    )
    if cache_key in _statements:
        return _statements[cache_key]
    asked = {}
    for key, presence in presences:
        rows = presence(request) if presence is not None else None
        if rows is not None:
            asked[f"has_{len(asked)}"] = (key, rows)
    statement = None
    if asked:
        queryset = (
            User.objects.filter(pk=user.pk)
            .annotate(**{alias: Exists(rows) for alias, (_key, rows) in asked.items()})
            .values_list(*asked)
            .order_by()[:1]
        )
        sql, params = queryset.query.sql_with_params()
        statement = (tuple(key for key, _rows in asked.values()), sql, tuple(params))
    if len(_statements) >= _STATEMENTS_KEPT:
        _statements.clear()
    _statements[cache_key] = statement
    return statement


def certainly_empty(request, keys):
    """The keys, among `keys`, of the panels whose presence found no row: one query for
    all of them (none when no panel has a presence for this user)."""
    if not request.user.is_authenticated:
        return set()
    statement = _presence_statement(request, keys)
    if statement is None:
        return set()
    asked, sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:  # the account is gone: let the panels answer for themselves
        return set()
    return {key for key, has in zip(asked, found, strict=True) if not has}


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
