"""Paged lists: a total (capped), "X–Y van Z", first / previous / next, sorting by the
list's columns (an allow-list per list, ties broken by id) and keyset paging; filters and
sort stay in the URL so every pager and column link carries them.

Every app's list uses these helpers and the `_pager.html` / `_sort_header.html`
includes, so the lists look and behave alike.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Window

# Above this, a list says "meer dan 1.000" rather than counting every row.
COUNT_CAP = 1000


def capped_count(queryset, cap=None):
    """The number of rows, or None when there are more than `cap` (COUNT_CAP): one
    query, `SELECT COUNT(*) FROM (... LIMIT cap + 1)`, whose cost does not grow past it."""
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return None if count > cap else count


@dataclass(frozen=True)
class Sort:
    """One allowed sort of a list: `key` as in the URL ("naam"; "-naam" descending) and
    the fields it orders on, before the id that breaks ties."""

    key: str
    fields: tuple
    descending: bool = False

    @property
    def param(self):
        return f"-{self.key}" if self.descending else self.key

    @property
    def order_fields(self):
        return (*self.fields, "id")

    def order_by(self, fields=None):
        fields = fields or self.order_fields
        if not self.descending:
            return list(fields)
        return [f.desc() if hasattr(f, "desc") else f"-{f}" for f in fields]


def parse_sort(value, allowed: dict, default: str) -> Sort:
    """The Sort the URL asks for, when it is on the list's allow-list; else the default."""
    value = (value or "").strip()
    key = value.removeprefix("-")
    if key not in allowed:
        value, key = default, default.removeprefix("-")
    return Sort(key, tuple(allowed[key]), value.startswith("-"))


def keyset_q(fields, values, *, forward: bool) -> Q:
    """Rows after (forward) or before the row with these values, in the fields' order.
    The leading `>=` lets PostgreSQL start an index scan at the cursor."""
    op, eq_op = ("gt", "gte") if forward else ("lt", "lte")
    condition = Q()
    for index in range(len(fields)):
        equal = dict(zip(fields[:index], values[:index], strict=True))
        condition |= Q(**equal, **{f"{fields[index]}__{op}": values[index]})
    return Q(**{f"{fields[0]}__{eq_op}": values[0]}) & condition


def page_url(params: dict, **extra) -> str:
    query = urlencode({key: value for key, value in {**params, **extra}.items() if value})
    return f"?{query}" if query else "?"


@dataclass
class Page:
    rows: list
    start: int  # position of the first row, from 1
    total: int | None  # None: more than COUNT_CAP
    has_previous: bool
    has_next: bool
    first_url: str = ""
    previous_url: str = ""
    next_url: str = ""
    sort: Sort | None = None
    sort_links: dict = field(default_factory=dict)

    @property
    def end(self):
        return self.start + len(self.rows) - 1

    @property
    def more_than_cap(self):
        return self.total is None

    @property
    def cap(self):
        return COUNT_CAP

    @property
    def paged(self):
        return self.has_previous or self.has_next


def sort_links(params: dict, allowed: dict, sort: Sort) -> dict:
    """Per sortable column: the URL that sorts on it (the other way round when it is the
    current sort) and its aria-sort state; filters kept, paging reset."""
    links = {}
    for key in allowed:
        current = sort.key == key
        descending = current and not sort.descending
        state = ""
        if current:
            state = "descending" if sort.descending else "ascending"
        links[key] = {
            "url": page_url(params, sort=f"-{key}" if descending else key),
            "state": state,
        }
    return links


def _position(value):
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def _narrowed_first_page(queryset, narrow, ordering, size):
    """The first page of a narrowed list: its ids and the number of matches from one read
    of the index and the rows (COUNT(*) OVER ()), then the rows by id through the scope.
    (rows, total, has_next), or None when the scope dropped one of the page's rows."""
    found = list(
        narrow.annotate(matches=Window(Count("pk")))
        .order_by(*ordering)
        .values_list("pk", "matches")[: size + 1]
    )
    rows = list(queryset.filter(pk__in=[pk for pk, _ in found]).order_by(*ordering))
    if len(rows) < len(found):
        return None
    matches = found[0][1] if found else 0
    return rows[:size], (None if matches > COUNT_CAP else matches), len(found) > size


def keyset_page(
    queryset,
    *,
    cursors,
    get,
    params: dict,
    allowed: dict,
    default_sort: str,
    size: int,
    order_overrides=None,
    cursor_field="public_id",
    narrow=None,
) -> Page:
    """One page of `queryset` in the sort `get["sort"]` asks for, after or before the
    cursor row `get["after"]` / `get["before"]` (looked up in `cursors`, by a public key:
    no values in the URL). `params` are the list's active filters; `order_overrides`
    ({sort key: fields}) says how the database is asked for a sort's order (the same
    order, other expressions).

    `narrow`, when given, holds the same rows as `queryset` by a filter the database
    reads from one index (students.queries.school_search_q): the count and the page's
    ids come from it, and the page's rows are read through `queryset`, so its scope still
    decides what shows. The scope is then checked for a page of rows instead of every
    match before sorting.

    Queries: the count, the page, and the cursor's values when there is a cursor."""
    sort = parse_sort(get.get("sort"), allowed, default_sort)
    fields = sort.order_fields
    after = (get.get("after") or "").strip()
    before = (get.get("before") or "").strip()
    key = after or before
    cursor = None
    if key:
        try:
            cursor = cursors.filter(**{cursor_field: key}).values_list(*fields).first()
        except (ValueError, ValidationError):
            cursor = None  # not a key at all: the first page
    source = queryset if narrow is None else narrow
    position = _position(get.get("pos"))
    order_fields = (order_overrides or {}).get(sort.key)
    ordering = sort.order_by(order_fields)

    def read(rows, order):
        rows = rows.order_by(*order)[: size + 1]
        if narrow is None:
            return list(rows)
        return list(queryset.filter(pk__in=rows.values("pk")).order_by(*order))

    first = None
    if cursor is None and narrow is not None:
        first = _narrowed_first_page(queryset, narrow, ordering, size)
        if first is None:
            # A row the narrowing holds but the scope does not (the derived column behind
            # it was stale): the count and page are taken through the scope instead.
            narrow = None
            source = queryset
    if first is not None:
        rows, total, has_next = first
        has_previous, start = False, 1
    elif cursor is None:
        total = capped_count(source)
        rows = read(source, ordering)
        rows, has_previous, has_next, start = rows[:size], False, len(rows) > size, 1
    else:
        total = capped_count(source)
        forward = bool(after) != sort.descending
        if after:
            rows = read(source.filter(keyset_q(fields, cursor, forward=forward)), ordering)
            rows, has_previous, has_next = rows[:size], True, len(rows) > size
            start = position
        else:
            reverse = Sort(sort.key, sort.fields, not sort.descending).order_by(order_fields)
            rows = read(source.filter(keyset_q(fields, cursor, forward=forward)), reverse)
            rows, has_previous, has_next = rows[:size][::-1], len(rows) > size, True
            start = max(position, 1) if has_previous else 1
    state = {**params, "sort": sort.param if sort.param != default_sort else ""}
    page = Page(
        rows=rows,
        start=start,
        total=total,
        has_previous=has_previous,
        has_next=has_next,
        sort=sort,
        sort_links=sort_links(params, allowed, sort),
        first_url=page_url(state),
    )
    if rows:
        first_key = getattr(rows[0], cursor_field)
        last_key = getattr(rows[-1], cursor_field)
        page.previous_url = page_url(
            state, before=first_key, pos=max(start - size, 1) if start > size else ""
        )
        page.next_url = page_url(state, after=last_key, pos=start + len(rows))
    return page
