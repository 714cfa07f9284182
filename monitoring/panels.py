"""The attention list on the start page and the signals on the student's page."""

from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.policy import active_membership, has_attention_list
from students.paging import keyset_page

from .models import SignalEvent, signal_kind_choices
from .queries import attention_list, signals_for_user, with_versions
from .services import ASKED_CONTACTS, ASKED_STEPS

# A pk no signal has, reversed once per list and replaced by each signal's own.
_PK = 987654321
_PUBLIC_ID = "student-public-id"


def _action_patterns():
    """The URLs of a signal's actions for the marker id `_PK`."""
    actions = ("resolve", "dismiss", "assign", "resolve_form", "dismiss_form", "assign_options")
    return {action: reverse(f"monitoring:{action}", args=[_PK]) for action in actions}


def attach_step_links(signals):
    """Give each signal that asks for a step (or a contact moment) `step_links`: the
    form(s) that answer it, offered before closing it; and every signal the URLs of its
    actions (`action_urls`) and its student's page (`student_url`): reversed once per list,
    not in every row (issue 16).
    No queries: ids and names only."""
    from roadmap.models import StepKind

    patterns = _action_patterns()
    student_url = reverse("students:detail", args=[_PUBLIC_ID])
    contact_url = reverse("roadmap:contact_new", args=[_PUBLIC_ID])
    # Per step kind: its label and its form's address for marker ids, given each row's.
    step_links = {}

    def step_link(step, public_id, enrolment_id):
        if step not in step_links:
            step_links[step] = (
                _("%(step)s vastleggen") % {"step": StepKind(step).label},
                reverse("roadmap:step", args=[_PUBLIC_ID, _PK, step]),
            )
        label, url = step_links[step]
        return label, url.replace(_PUBLIC_ID, str(public_id)).replace(
            f"/{_PK}/", f"/{enrolment_id}/"
        )

    for signal in signals:
        signal.action_urls = {
            action: url.replace(str(_PK), str(signal.pk)) for action, url in patterns.items()
        }
        links = []
        public_id = signal.student.public_id
        signal.student_url = student_url.replace(_PUBLIC_ID, str(public_id))
        if signal.kind in ASKED_STEPS and signal.enrolment_id:
            for step in ASKED_STEPS[signal.kind]:
                links.append(step_link(step, public_id, signal.enrolment_id))
        elif signal.kind in ASKED_CONTACTS:
            links.append(
                (_("Contactmoment vastleggen"), contact_url.replace(_PUBLIC_ID, str(public_id)))
            )
        signal.step_links = links
        signal.asks_for_step = bool(links)
    return signals


def signal_handlers(user):
    """The colleagues a signal of the user's organisation can be handed to (one query;
    the server checks that the chosen one may see the student)."""
    from .forms import colleagues

    membership = active_membership(user)
    return list(colleagues(membership.organisation_id)) if membership else []


def attention_rows(signals, *, next_path, today):
    """The attention list's rows as HTML (`signal.row_html`), built here rather than by
    the template engine: 25 rows of links and buttons were a fifth of the start page's
    time in templates (issue 16). The resolve, dismiss and assign forms load when opened
    (htmx; without JavaScript a link to the form's own page)."""
    try:
        bulk = bool(reverse("caseload:bulk_signals"))
    except NoReverseMatch:
        bulk = False  # the caseload app is not installed
    query = quote(next_path, safe="/")
    labels = {
        "resolve": _("Afhandelen"),
        "resolve_without_step": _("Afhandelen zonder de stap"),
        "dismiss": _("Afwijzen"),
        "assign": _("Toewijzen"),
        "to_form": _("Naar het formulier"),
        "choose": _("Kies een collega"),
        "handler": _("Behandelaar"),
        "late": _("te laat"),
    }
    on_open = (
        '<details class="d-inline-block" hx-get="{url}?next={query}" hx-trigger="toggle once"'
        ' hx-target="find [{target}]" hx-swap="innerHTML"><summary class="btn {style} btn-sm">'
        '{label}</summary><div {target}><a class="d-inline-block mt-2" href="{url}?next='
        '{query}">{link}</a></div></details>'
    )

    def blocks(urls, asks_for_step):
        def block(action, target, style, label, link):
            return format_html(on_open, url=urls[action], query=query, target=target,
                               style=style, label=label, link=link)  # fmt: skip

        resolve = labels["resolve_without_step" if asks_for_step else "resolve"]
        return format_html(
            "{}\n{}\n{}",
            block("resolve_form", "data-action-form", "btn-outline-success", resolve,
                  labels["to_form"]),
            block("dismiss_form", "data-action-form", "btn-outline-secondary",
                  labels["dismiss"], labels["to_form"]),
            block("assign_options", "data-assign-form", "btn-outline-primary",
                  labels["assign"], labels["choose"]),
        )  # fmt: skip

    # Built once per list for a marker id, then given each row's id (an integer); per
    # row only when the marker's digits happen to be in the page's own address.
    marker = str(_PK)
    patterns = _action_patterns()
    shared = {asks: blocks(patterns, asks) for asks in (False, True)} if marker not in query else {}
    for signal in signals:
        steps = format_html_join(
            "\n",
            '<a class="btn btn-primary btn-sm mb-1" href="{}?next={}" data-step-link>{}</a>',
            ((url, query, label) for label, url in signal.step_links),
        )
        if shared:
            # The marker replaced by the row's integer id: nothing to escape.
            row_blocks = mark_safe(  # noqa: S308  # nosec B308 B703 - escaped, an integer
                shared[signal.asks_for_step].replace(marker, str(signal.pk))
            )
        else:
            row_blocks = blocks(signal.action_urls, signal.asks_for_step)
        actions = format_html("{}\n{}", steps, row_blocks)
        name = signal.student.full_name
        kind = signal.kind_label
        choose = (
            format_html(
                '<input class="form-check-input me-1" type="checkbox" name="ids" value="{}"'
                ' form="bulk-signals" id="kies-signaal-{}" aria-label="{}"> ',
                signal.pk, signal.pk,
                _("Selecteer %(name)s: %(kind)s") % {"name": name, "kind": kind},
            )
            if bulk
            else ""
        )  # fmt: skip
        handler = (
            format_html(
                "<br><small>{}: {}</small>",
                labels["handler"],
                signal.handler.get_full_name() or signal.handler.email,
            )
            if signal.handler_id
            else ""
        )
        late = (
            format_html(' <span class="badge text-bg-danger">{}</span>', labels["late"])
            if signal.due_date < today
            else ""
        )
        signal.row_html = format_html(
            '<tr class="signal-row" data-kind="{}" data-signal="{}"><td>{}<a href="{}">{}</a>'
            "</td><td>{}{}</td><td>{}{}</td><td>{}</td></tr>",
            signal.kind, signal.pk, choose, signal.student_url, name,
            kind, handler, format_date(signal.due_date, "j F Y"), late, actions,
        )  # fmt: skip
    return signals


# The attention list's columns to sort on (students.paging); the most urgent first.
ATTENTION_SORTS = {
    "uiterlijk": ("due_date",),
    "student": ("student__sort_name",),
    "signaal": ("kind", "due_date"),
}


ATTENTION_COLUMNS = (
    "kind", "due_date", "enrolment_id", "student", "student__public_id",
    "student__first_name", "student__last_name", "handler", "handler__first_name",
    "handler__last_name", "handler__email",
)  # fmt: skip


def home_attention_panel(request):
    if not has_attention_list(request.user):
        return None  # no signal is ever addressed to this role: no empty list
    today = timezone.localdate()
    kind = request.GET.get("signal_kind", "")
    kinds = signal_kind_choices()
    if kind not in dict(kinds):
        kind = ""
    mine = request.GET.get("mine") == "1"
    # The columns the rows show (attention_rows, attach_step_links): not the student's
    # BSN and contact details, nor the handler's account (issue 16: less to compile,
    # fetch and build per row).
    signals = attention_list(request.user, today=today, kind=kind, mine=mine).only(
        *ATTENTION_COLUMNS
    )
    # The cursor is a signal's id, looked up among the signals the user sees.
    page = keyset_page(
        signals,
        cursors=signals,
        get=request.GET,
        params={"signal_kind": kind, **({"mine": "1"} if mine else {})},
        allowed=ATTENTION_SORTS,
        default_sort="uiterlijk",
        size=settings.KOERS_PAGE_SIZE,
        cursor_field="pk",
    )
    signals = page.rows
    next_path = request.get_full_path()
    attention_rows(attach_step_links(signals), next_path=next_path, today=today)
    return {
        "template": "monitoring/_home_attention.html",
        "context": {
            "signals": signals,
            "page": page,
            "today": today,
            "kinds": kinds,
            "kind": kind,
            "mine": mine,
            "next": next_path,
        },
    }


def student_signals_panel(request, student):
    from students.panels import has_rows

    if not has_rows(student, "monitoring.signals"):
        return None  # no signal at all: nothing to ask the user's scope about
    today = timezone.localdate()
    signals = list(
        with_versions(signals_for_user(request.user, today=today))
        .filter(student=student)
        .select_related("closed_by", "handler")
        .prefetch_related(
            Prefetch(
                "events", queryset=SignalEvent.objects.select_related("actor").order_by("at", "pk")
            )
        )
        .order_by("due_date", "pk")
    )
    if not signals:
        return None
    for signal in signals:
        signal.student = student
    attach_step_links(signals)
    return {
        "template": "monitoring/_student_signals.html",
        "context": {
            "signals": signals,
            "today": today,
            # The colleagues to hand a signal to load when "Toewijzen" is opened, not
            # with every view of the page: a school has thousands (issue 16).
            "may_assign": active_membership(request.user) is not None,
            "next": request.get_full_path(),
        },
    }


_registered = False


def register_panels():
    global _registered
    if _registered:
        return
    from accounts.home import register_home_panel
    from students.panels import register_student_panel

    register_home_panel(5, home_attention_panel)
    register_student_panel(20, student_signals_panel)
    from students.panels import register_student_presence

    from .models import Signal

    register_student_presence("monitoring.signals", Signal)
    _registered = True
