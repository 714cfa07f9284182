"""The users' words everywhere (issue 15): a walk over every page and document of every
demo role that fails on an internal identifier in what a person reads.

The demo is seeded once for the module (inside a transaction rolled back at the end).
Every account logs in with force_login and GETs every URL the authorization matrix knows
(its helpers build the URLs), the detail page of every referral, intake registration and
trajectory it may open, its start page's fragments, and the downloads (CSV, XLSX and
PDF as text). History entries of every history table are rendered through the one
history renderer, and the e-mails of a finalised agenda are read from the outbox.

What counts as an internal identifier: a snake_case word, a model's class or model name
(CamelCase or capitalised), an English value of a model field's choices whose label
differs, True/False/None, on a Dutch page. Attribute values, scripts and styles are not
read (they are not shown).
"""

import html
import io
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.reference import ensure_reference_data
from tests.security.test_matrix import ACTORS, SKIPPED_PREFIXES, objects, url_for, url_names

pytestmark = pytest.mark.django_db

# Values of choices that are also the ordinary Dutch word a page uses (so finding them
# in text says nothing): e.g. the level "entree" is "Entree" to people, but "open" is
# Dutch for open. Kept short on purpose: each entry is a word a Dutch reader uses.
DUTCH_WORDS = {
    "open",
    "school",
    "mbo",
    "vo",
    "hbo",
    "wo",
    "bol",
    "bbl",
    "intake",
    "addendum",
}

# Not read: scripts and styles; <code> holds what a person types into a file or a field
# (the import's column names, shown beside their Dutch label).
PROJECT_APPS = {
    "accounts",
    "students",
    "roadmap",
    "monitoring",
    "referrals",
    "doorstroomtafel",
    "reports",
    "documents",
    "casework",
}

_HIDDEN = {"script", "style", "template", "noscript", "code"}


class _Text(HTMLParser):
    """The text a person reads: no tags, no attribute values, no scripts or styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(markup):
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return html.unescape(" ".join(parser.parts))


def internal_names():
    """Model class names and model names (as written and capitalised), field names with
    an underscore, and choices values that differ from their label."""
    words = set()
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        dutch_name = f"{model._meta.verbose_name} {model._meta.verbose_name_plural}".lower()
        # A class named by its Dutch word ("Student", "Overgangsdocument") is that word.
        if model._meta.model_name not in re.findall(r"\w+", dutch_name):
            words.add(model.__name__)
            words.add(model._meta.model_name.capitalize())
        for field in model._meta.get_fields():
            if "_" in field.name.strip("_"):
                words.add(field.name)
                words.add(field.name.capitalize())
            choices = getattr(field, "flatchoices", None) or []
            for value, label in choices:
                if not isinstance(value, str) or not value:
                    continue
                if str(value) == str(label) or value.lower() == str(label).lower():
                    continue
                if value.lower() in DUTCH_WORDS:
                    continue
                # A value that is a word of its own label is a Dutch word ("contact",
                # "indicatie", "overgangsdocument"): finding it says nothing.
                if re.search(rf"\b{re.escape(value)}\b", str(label), re.IGNORECASE):
                    continue
                values.add(value)
    # A model name that is a Dutch word as well (e.g. "Region" is not, "Meeting" is not,
    # but "School" would be): nothing here yet.
    return words, values


_WORDS, _VALUES = None, None


def _patterns():
    global _WORDS, _VALUES
    if _WORDS is None:
        _WORDS, _VALUES = internal_names()
    return _WORDS, _VALUES


# A word, not part of an e-mail address, URL or file name ("students.csv").
_SNAKE = re.compile(r"(?<![\w@./:-])[A-Za-z]+_[A-Za-z_]*[A-Za-z](?![\w@/-])(?!\.[A-Za-z])")
_BOOL = re.compile(r"\b(True|False|None)\b")
_WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z0-9_]*(?![\w@/-])(?!\.[A-Za-z])")
_ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def _is_public_id(token):
    """A record's random public id (12 characters of base64url, shown as a reference where
    the name may not be: "Verwijzing MQevJfnX_qkz"), not a snake_case name: those are
    lower case."""
    return len(token) == 12 and any(ch.isupper() for ch in token[1:])


def findings(text):
    words, values = _patterns()
    found = {token for token in _SNAKE.findall(text) if not _is_public_id(token)}
    found |= set(_BOOL.findall(text))
    for token in _WORD.findall(text):
        if token in words or token in values:
            found.add(token)
    return found


def context_of(text, word, width=60):
    index = text.find(word)
    return " ".join(text[max(0, index - width) : index + len(word) + width].split())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(media),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "reports": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "words",
                },
            },
        ),
        transaction.atomic(),
    ):
        # A module fixture runs before the per-test one that restores them after a flush.
        ensure_reference_data()
        call_command("seed_demo", force=True, verbosity=0)
        yield objects()
        transaction.set_rollback(True)


def _client(actor):
    client = Client()
    client.force_login(User.objects.get(email=actor))
    return client


def _report(problems):
    """One line per identifier found (with its first place), then the count."""
    first = {}
    for problem in sorted(problems):
        word = problem.split(": ", 1)[1].split(" in «", 1)[0]
        first.setdefault(word, problem)
    return "\n".join(first.values()) + f"\n({len(problems)} places)"


def _check(where, text, problems, *, dates=False):
    found = findings(text)
    if dates:  # a page shows dates as "3 december 2026"
        found |= set(_ISO_DATE.findall(text))
    for word in found:
        problems.add(f"{where}: {word!r} in «{context_of(text, word)}»")


def _pdf_text(content):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        result = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True
        )
    return result.stdout.decode()


def _body_text(response):
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        return _pdf_text(content)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content))
        cells = [sheet.title for sheet in book.worksheets]
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells.extend(str(value) for value in row if value is not None)
        return "\n".join(cells)
    if "csv" in kind or "text/plain" in kind:
        return content.decode("utf-8-sig")
    if "html" in kind:
        return visible_text(content.decode())
    return ""


pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def _walk_urls(demo, actors):
    problems = set()
    for actor in actors:
        client = _client(actor)
        for name, entry in sorted(url_names(), key=lambda pair: pair[0]):
            if name.startswith(SKIPPED_PREFIXES) or name in {"set_language", "accounts:logout"}:
                continue
            url = url_for(name, entry, demo)
            response = client.get(url)
            if response.status_code != 200:
                continue
            page = "html" in response.get("Content-Type", "")
            _check(f"{actor} {url}", _body_text(response), problems, dates=page)
            if page and name in HTMX_PAGES:
                hx = client.get(url, headers={"HX-Request": "true"})
                if hx.status_code == 200:
                    _check(f"{actor} {url} (htmx)", _body_text(hx), problems, dates=True)
    return problems


# Pages that answer htmx with a fragment of their own (the rest include their fragments).
HTMX_PAGES = {"home", "students:list", "referrals:list", "doorstroomtafel:index"}


@pdftotext
def test_no_internal_name_on_any_page_or_download_of_any_role(demo):
    problems = _walk_urls(demo, [actor for actor in ACTORS if actor != "anonymous"])
    assert not problems, _report(problems)


@pdftotext
def test_no_internal_name_in_the_reports_files(demo):
    """The dashboard's files (CSV, XLSX, PDF) of both kinds of coordinator."""
    problems = set()
    for actor in ("coordinator@horizon.demo", "regio@nhn.demo"):
        client = _client(actor)
        for fmt in ("csv", "xlsx", "pdf"):
            url = reverse("reports:export", args=["alles", fmt])
            response = client.get(url)
            assert response.status_code == 200, url
            _check(f"{actor} {url}", _body_text(response), problems)
    assert not problems, _report(problems)


def test_no_internal_name_on_any_referral_registration_or_trajectory(demo):
    from referrals.models import IntakeRegistration, MaatwerkTrajectory, Referral

    urls = [reverse("referrals:detail", args=[r.public_id]) for r in Referral.objects.all()]
    urls += [
        reverse("referrals:registration", args=[r.public_id])
        for r in IntakeRegistration.objects.all()
    ]
    urls += [
        reverse("referrals:trajectory", args=[t.public_id])
        for t in MaatwerkTrajectory.objects.all()
    ]
    problems = set()
    for actor in ACTORS[1:]:
        client = _client(actor)
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                _check(f"{actor} {url}", _body_text(response), problems, dates=True)
    assert not problems, _report(problems)


STUDENT_PAGES = 12


def test_no_internal_name_on_any_student_page_of_the_school(demo):
    from django.db.models import Count

    from students.models import Student

    problems = set()
    client = _client("coordinator@horizon.demo")
    # The school's students with the most history (every kind of record is among them);
    # every history entry of every student is checked through the renderer above.
    students = (
        Student.objects.filter(enrolments__institution__name="Horizon College")
        .annotate(entries=Count("changes", distinct=True))
        .order_by("-entries", "pk")
    )
    for student in students[:STUDENT_PAGES]:
        url = reverse("students:detail", args=[student.public_id])
        response = client.get(url)
        if response.status_code == 200:
            _check(f"coordinator {url}", _body_text(response), problems, dates=True)
    assert not problems, _report(problems)


def test_every_history_entry_of_every_model_is_in_the_users_words(demo):
    from students.history import history_rows, history_sources

    problems = set()
    seen = set()
    for model, queryset in history_sources():
        entries = list(queryset)
        seen.add(model._meta.label)
        for row in history_rows(entries):
            text = " ".join(
                str(part)
                for part in [row["record"], row["action"], row["actor"]]
                + [f"{f['label']} {f['old'] or ''} {f['new']}" for f in row["fields"]]
            )
            _check(f"{model._meta.label} history", text, problems)
    assert {
        "doorstroomtafel.MeetingChange",
        "students.RecordChange",
        "referrals.ReferralEvent",
        "referrals.FlexEvent",
        "monitoring.SignalEvent",
        "roadmap.AbaStepChange",
    } <= seen
    assert not problems, _report(problems)


def test_no_internal_name_in_the_emails_of_a_finalised_agenda(
    demo, django_capture_on_commit_callbacks
):
    from doorstroomtafel.models import Meeting

    mail.outbox.clear()
    editor = User.objects.get(email="leerplicht@nhn.demo")
    client = _client(editor.email)
    problems = set()
    for meeting in Meeting.objects.all():
        page = client.get(reverse("doorstroomtafel:meeting", args=[meeting.public_id]))
        if page.status_code != 200:
            continue
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("doorstroomtafel:transition", args=[meeting.public_id, "finalise"]),
                {"version": meeting.version},
            )
    assert mail.outbox, "finalising an agenda sent no e-mail"
    for message in mail.outbox:
        _check("e-mail subject", message.subject, problems)
        _check("e-mail", message.body, problems)
        for alternative, kind in getattr(message, "alternatives", []):
            if "html" in kind:
                _check("e-mail (html)", visible_text(alternative), problems)
    assert not problems, _report(problems)


def test_the_admin_shows_labels(demo):
    from django.contrib import admin

    client = _client("admin@koers.demo")
    problems = set()
    for model, _model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue  # Django's and the libraries' own pages (English permission names)
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        response = client.get(url)
        if response.status_code != 200:
            continue
        _check(f"admin {url}", _body_text(response), problems)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            if change.status_code == 200:
                _check(f"admin {info}", _body_text(change), problems)
    assert not problems, _report(problems)


def test_the_walk_finds_what_it_looks_for():
    """The detector itself: each kind of identifier is found, Dutch text is not."""
    assert findings("Studyadvicestep aangemaakt") == {"Studyadvicestep"}
    assert "Destination_place" in findings("Destination_place: Amsterdam")
    assert "fixed_term" in findings("Contract_type: fixed_term")
    assert findings("Ja, ingevuld: True") == {"True"}
    assert "not_applicable" in findings("Status: not_applicable")
    assert findings("Geen dienstverbanden bekend op 3 december 2026.") == set()
    assert findings("mentor@horizon.demo") == set()
    assert findings("Studenten (students.csv)") == set()
    assert findings("Student Overgangsdocument Contactmoment") == set()
    assert visible_text('<p title="student_number">Naam<script>var a_b;</script></p>') == ("Naam")
