"""The API's operations. Each view names the scope it needs (`required_scope`) and
starts every read from the same scoped query the web uses; a record outside it is a 404.
Writes call the owning app's service."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts import policy
from students.models import AccessLog, Student
from students.queries import get_student_for_user
from students.services import access_log

from . import serializers as s
from .administration import administration_write
from .models import IdempotencyRecord, Subscription
from .notifications import CallbackRefused, check_callback_url
from .problems import problem


class DocsView(SpectacularRedocView):
    """Redoc, from the vendored sidecar files. Redoc styles itself with inline styles and
    renders in a worker: this page alone allows those (still no script from elsewhere).
    Our own template: the package's one loads web fonts from a CDN."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' blob:; worker-src 'self' blob:; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
        )
        return response


PROBLEM = OpenApiResponse(description=_("Fout, als application/problem+json (RFC 9457)."))
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 429: PROBLEM}
NOT_FOUND = {**ERRORS, 404: PROBLEM}


def _detail(client_user):
    client = getattr(client_user, "api_client_cached", None)
    return f"api client {client.pk}" if client is not None else "api"


class ApiView(GenericAPIView):
    required_scope = None
    # No OPTIONS description: the OpenAPI document is the description (405).
    metadata_class = None


# --- Students ---------------------------------------------------------------------------


def _students(user):
    return (
        Student.objects.visible_to(user)
        .select_related("municipality")
        .prefetch_related("enrolments__institution", "qualifications", "employments")
    )


class StudentList(ApiView):
    required_scope = "students:read"
    serializer_class = s.StudentSerializer

    @extend_schema(
        operation_id="students_list",
        summary=_("Studenten in het zicht van deze organisatie"),
        description=_(
            "Alle studenten die een gebruiker van de organisatie en rol van dit systeem "
            "ziet, per pagina (cursor). Het BSN staat nooit in de lijst."
        ),
        responses={200: s.StudentSerializer(many=True), **ERRORS},
        tags=["studenten"],
    )
    def get(self, request):
        return self._page(request, _students(request.user))

    def _page(self, request, queryset):
        page = self.paginate_queryset(queryset)
        access_log(
            user=request.user,
            action=AccessLog.Action.LIST_STUDENTS,
            students=page,
            detail=_detail(request.user),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class StudentSearch(StudentList):
    http_method_names = ["post"]

    @extend_schema(
        operation_id="students_search",
        summary=_("Studenten zoeken (ook op BSN)"),
        description=_(
            "Zoekt binnen het zicht van deze organisatie op BSN, studentnummer of naam. "
            "Het BSN gaat alleen in de body mee, nooit in een URL."
        ),
        request=s.StudentSearchSerializer,
        responses={200: s.StudentSerializer(many=True), 400: PROBLEM, **ERRORS},
        tags=["studenten"],
    )
    def post(self, request):
        search = s.StudentSearchSerializer(data=request.data)
        search.is_valid(raise_exception=True)
        queryset = _students(request.user)
        data = search.validated_data
        if data.get("bsn"):
            queryset = queryset.filter(bsn=data["bsn"])
        if data.get("student_number"):
            queryset = queryset.filter(student_number=data["student_number"])
        if data.get("name"):
            queryset = queryset.search(data["name"])
        return self._page(request, queryset)


class StudentDetail(ApiView):
    required_scope = "students:read"
    serializer_class = s.StudentSerializer

    @extend_schema(
        operation_id="students_read",
        summary=_("Eén student"),
        description=_("De student met deze id, als deze organisatie hem ziet; anders 404."),
        responses={200: s.StudentSerializer, **NOT_FOUND},
        tags=["studenten"],
    )
    def get(self, request, public_id):
        student = get_student_for_user(request.user, public_id)
        student = _students(request.user).get(pk=student.pk)
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_STUDENT,
            student=student,
            detail=_detail(request.user),
        )
        return Response(self.get_serializer(student).data)


class RoadmapSteps(ApiView):
    required_scope = "students:read"
    serializer_class = s.RouteSerializer
    pagination_class = None

    @extend_schema(
        operation_id="students_roadmap_steps",
        summary=_("De route (stappen) van een student"),
        description=_(
            "Per Entree-inschrijving de stappen van de route en of ze zijn vastgelegd. "
            "Notities staan er niet in; ABA alleen voor de eigen school."
        ),
        responses={200: s.RouteSerializer(many=True), **NOT_FOUND},
        tags=["studenten"],
    )
    def get(self, request, public_id):
        from roadmap.models import STEP_RELATED_NAMES, StepKind
        from roadmap.queries import route_enrolments, special_institution_id

        student = get_student_for_user(request.user, public_id)
        aba_for = special_institution_id(request.user, student)
        routes = []
        for enrolment in route_enrolments(student, aba_for_institution_id=aba_for):
            steps = []
            for kind in StepKind:
                if kind == StepKind.ABA and enrolment.institution_id != aba_for:
                    continue
                step = getattr(enrolment, STEP_RELATED_NAMES[kind], None)
                steps.append(
                    {
                        "kind": kind.value,
                        "label": str(kind.label),
                        "date": step.date if step else None,
                        "logged": step is not None,
                    }
                )
            routes.append(
                {
                    "institution": enrolment.institution.name,
                    "programme": enrolment.programme,
                    "start_date": enrolment.start_date,
                    "steps": steps,
                }
            )
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_STUDENT,
            student=student,
            detail=f"{_detail(request.user)}: route",
        )
        return Response(s.RouteSerializer(routes, many=True).data)


# --- Administration ---------------------------------------------------------------------


def _digest(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()


class AdministrationImports(ApiView):
    required_scope = "administration:write"
    serializer_class = s.AdministrationImportSerializer

    @extend_schema(
        operation_id="administration_imports_create",
        summary=_(
            "Administratie schrijven (studenten, inschrijvingen, diploma's, werk, "
            "ouders en contactpersonen)"
        ),
        description=_(
            "Precies de import van INTERFACES.md sectie 1, namens de eigen instelling: "
            "dezelfde kolommen als sleutels, dezelfde controles en sleutels, alles of "
            "niets. Elke fout noemt de rij en het veld (students[3].bsn). Met de header "
            "Idempotency-Key geeft dezelfde aanvraag opnieuw hetzelfde antwoord."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_("Vrij gekozen sleutel; dezelfde sleutel met een andere body: 422."),
            )
        ],
        request=s.AdministrationImportSerializer,
        responses={
            200: s.AdministrationResultSerializer,
            400: PROBLEM,
            409: PROBLEM,
            422: PROBLEM,
            **ERRORS,
        },
        tags=["administratie"],
    )
    def post(self, request):
        if not policy.api_can_write_administration(request.user):
            return problem(
                403,
                detail=_("Alleen een school schrijft haar administratie."),
                instance=request.path,
            )
        key = request.headers.get("Idempotency-Key", "").strip()[:200]
        client = request.user.api_client_cached
        digest = _digest(request.data) if key else ""
        if key:
            kept = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if kept is not None:
                if kept.request_digest != digest:
                    return problem(
                        422,
                        detail=_("Deze Idempotency-Key is al gebruikt voor een andere aanvraag."),
                        instance=request.path,
                    )
                response = Response(
                    kept.body,
                    status=kept.status_code,
                    content_type="application/problem+json" if kept.status_code >= 400 else None,
                )
                response["Idempotent-Replayed"] = "true"
                return response
        body = s.AdministrationImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        arrays = body.validated_data
        outcome = administration_write(
            user=request.user, arrays=arrays, dry_run=arrays.get("dry_run", False)
        )
        if outcome.conflict:
            return problem(
                409,
                detail=_("Gegevens zijn intussen gewijzigd; er is niets geschreven."),
                instance=request.path,
            )
        if not outcome.ok:
            response = problem(
                400,
                detail=_("Er is niets geschreven: een of meer rijen zijn niet geldig."),
                invalid=outcome.invalid,
                instance=request.path,
            )
        else:
            response = Response(
                {
                    "dry_run": arrays.get("dry_run", False),
                    **outcome.counts,
                    "notices": outcome.notices,
                }
            )
        if key and not arrays.get("dry_run", False):
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        client=client,
                        key=key,
                        request_digest=digest,
                        status_code=response.status_code,
                        body=response.data,
                    )
            except IntegrityError:
                pass  # a parallel request with the same key kept its answer first
        return response


# --- Signals ----------------------------------------------------------------------------


def _signals(user):
    from monitoring.queries import signals_for_user

    return signals_for_user(user, today=timezone.localdate()).select_related("student")


class SignalList(ApiView):
    required_scope = "signals"
    serializer_class = s.SignalSerializer

    @extend_schema(
        operation_id="signals_list",
        summary=_("Signalen van deze organisatie"),
        description=_("De signalen die de organisatie ziet en oppakt, per pagina (cursor)."),
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=["open", "resolved", "dismissed", "closed"],
                description=_("Alleen signalen met deze status."),
            )
        ],
        responses={200: s.SignalSerializer(many=True), 400: PROBLEM, **ERRORS},
        tags=["signalen"],
    )
    def get(self, request):
        signals = _signals(request.user)
        wanted = request.query_params.get("status", "")
        if wanted:
            from monitoring.models import SignalStatus

            if wanted not in SignalStatus.values:
                raise ValidationError({"status": [_("Onbekende status.")]})
            signals = signals.filter(status=wanted)
        page = self.paginate_queryset(signals)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SignalDetail(ApiView):
    required_scope = "signals"
    serializer_class = s.SignalSerializer

    @extend_schema(
        operation_id="signals_read",
        summary=_("Eén signaal"),
        responses={200: s.SignalSerializer, **NOT_FOUND},
        tags=["signalen"],
    )
    def get(self, request, pk):
        return Response(self.get_serializer(get_object_or_404(_signals(request.user), pk=pk)).data)


class _SignalClose(ApiView):
    required_scope = "signals"

    def close(self, request, pk, body_class, service):
        from monitoring.models import SignalStatus
        from monitoring.services import SignalAlreadyClosed

        signal = get_object_or_404(_signals(request.user), pk=pk, status=SignalStatus.OPEN)
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            signal = service(signal, body.validated_data)
        except SignalAlreadyClosed:
            return problem(409, detail=_("Dit signaal was al gesloten."), instance=request.path)
        return Response(s.SignalSerializer(signal).data)


class SignalResolution(_SignalClose):
    serializer_class = s.ResolveSerializer

    @extend_schema(
        operation_id="signals_resolve",
        summary=_("Signaal afhandelen"),
        description=_("Zoals op de aandachtslijst: alleen een open signaal."),
        request=s.ResolveSerializer,
        responses={200: s.SignalSerializer, 400: PROBLEM, 409: PROBLEM, **NOT_FOUND},
        tags=["signalen"],
    )
    def post(self, request, pk):
        from monitoring.services import signal_resolve

        return self.close(
            request,
            pk,
            s.ResolveSerializer,
            lambda signal, data: signal_resolve(
                signal=signal, actor=request.user, note=data.get("note", "")
            ),
        )


class SignalDismissal(_SignalClose):
    serializer_class = s.DismissSerializer

    @extend_schema(
        operation_id="signals_dismiss",
        summary=_("Signaal afwijzen (met reden)"),
        description=_("Zoals op de aandachtslijst: alleen een open signaal, met een reden."),
        request=s.DismissSerializer,
        responses={200: s.SignalSerializer, 400: PROBLEM, 409: PROBLEM, **NOT_FOUND},
        tags=["signalen"],
    )
    def post(self, request, pk):
        from monitoring.services import signal_dismiss

        return self.close(
            request,
            pk,
            s.DismissSerializer,
            lambda signal, data: signal_dismiss(
                signal=signal, actor=request.user, reason=data["reason"]
            ),
        )


# --- Referrals --------------------------------------------------------------------------


def _received(user):
    from referrals.models import Referral

    return Referral.objects.received_by(user).select_related(
        "student", "from_organisation", "to_organisation"
    )


def _referral(request, public_id):
    return get_object_or_404(_received(request.user), public_id=public_id)


def _referral_data(request, referral):
    from referrals.queries import receiver_sees_student

    data = s.ReferralSerializer(referral).data
    shows = receiver_sees_student(referral)
    data["shared_data"] = referral.shared_data if shows else {}
    if shows:
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_STUDENT,
            student=referral.student,
            detail=f"{_detail(request.user)}: referral {referral.public_id}",
        )
    return data


class ReferralList(ApiView):
    required_scope = "referrals"
    serializer_class = s.ReferralSerializer

    @extend_schema(
        operation_id="referrals_list",
        summary=_("Ontvangen verwijzingen"),
        description=_("De verwijzingen aan deze organisatie, zonder persoonsgegevens."),
        responses={200: s.ReferralSerializer(many=True), **ERRORS},
        tags=["verwijzingen"],
    )
    def get(self, request):
        page = self.paginate_queryset(_received(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReferralDetail(ApiView):
    required_scope = "referrals"
    serializer_class = s.ReferralDetailSerializer

    @extend_schema(
        operation_id="referrals_read",
        summary=_("Eén ontvangen verwijzing"),
        description=_("Met de gedeelde onderdelen, na acceptatie; anders zonder."),
        responses={200: s.ReferralDetailSerializer, **NOT_FOUND},
        tags=["verwijzingen"],
    )
    def get(self, request, public_id):
        return Response(_referral_data(request, _referral(request, public_id)))


class _ReferralAction(ApiView):
    required_scope = "referrals"

    def act(self, request, public_id, body_class, service):
        from referrals.services import ReferralRefused

        referral = _referral(request, public_id)
        data = {}
        if body_class is not None:
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        try:
            service(referral, data)
        except ReferralRefused as refused:
            return problem(409, detail=str(refused), instance=request.path)
        referral = _referral(request, public_id)
        return Response(_referral_data(request, referral))


_REFERRAL_RESPONSES = {200: s.ReferralDetailSerializer, 400: PROBLEM, 409: PROBLEM, **NOT_FOUND}


class ReferralAcceptance(_ReferralAction):
    serializer_class = s.ReferralDetailSerializer

    @extend_schema(
        operation_id="referrals_accept",
        summary=_("Verwijzing accepteren"),
        request=None,
        responses=_REFERRAL_RESPONSES,
        tags=["verwijzingen"],
    )
    def post(self, request, public_id):
        from referrals.services import referral_accept

        return self.act(
            request,
            public_id,
            None,
            lambda referral, data: referral_accept(referral=referral, actor=request.user),
        )


class ReferralRejection(_ReferralAction):
    serializer_class = s.RejectSerializer

    @extend_schema(
        operation_id="referrals_reject",
        summary=_("Verwijzing afwijzen (met reden)"),
        request=s.RejectSerializer,
        responses=_REFERRAL_RESPONSES,
        tags=["verwijzingen"],
    )
    def post(self, request, public_id):
        from referrals.services import referral_reject

        return self.act(
            request,
            public_id,
            s.RejectSerializer,
            lambda referral, data: referral_reject(
                referral=referral, actor=request.user, reason=data["reason"]
            ),
        )


class ReferralCompletion(_ReferralAction):
    serializer_class = s.CompleteSerializer

    @extend_schema(
        operation_id="referrals_complete",
        summary=_("Uitkomst vastleggen en afronden"),
        request=s.CompleteSerializer,
        responses=_REFERRAL_RESPONSES,
        tags=["verwijzingen"],
    )
    def post(self, request, public_id):
        from referrals.services import referral_complete

        return self.act(
            request,
            public_id,
            s.CompleteSerializer,
            lambda referral, data: referral_complete(
                referral=referral,
                actor=request.user,
                outcome=data["outcome"],
                note=data.get("note", ""),
            ),
        )


class ReferralInstruments(_ReferralAction):
    serializer_class = s.InstrumentsSerializer

    @extend_schema(
        operation_id="referrals_instruments",
        summary=_("Instrumenten vastleggen (W&I)"),
        request=s.InstrumentsSerializer,
        responses=_REFERRAL_RESPONSES,
        tags=["verwijzingen"],
    )
    def put(self, request, public_id):
        from referrals.services import instruments_record

        return self.act(
            request,
            public_id,
            s.InstrumentsSerializer,
            lambda referral, data: instruments_record(
                referral=referral,
                actor=request.user,
                data={
                    "job_start_date": None,
                    "doelgroepverklaring_date": None,
                    "note": "",
                    **data,
                },
            ),
        )


# --- Case-table meetings -----------------------------------------------------------------


def _meetings(user):
    from doorstroomtafel.queries import meetings_for_user

    return meetings_for_user(user).select_related("table")


class MeetingList(ApiView):
    required_scope = "meetings"
    serializer_class = s.MeetingSerializer

    @extend_schema(
        operation_id="meetings_list",
        summary=_("Overleggen waar deze organisatie aan deelneemt"),
        responses={200: s.MeetingSerializer(many=True), **ERRORS},
        tags=["doorstroomtafel"],
    )
    def get(self, request):
        page = self.paginate_queryset(_meetings(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MeetingDetail(ApiView):
    required_scope = "meetings"
    serializer_class = s.MeetingDetailSerializer

    @extend_schema(
        operation_id="meetings_read",
        summary=_("Eén overleg: agenda, besluiten, acties"),
        responses={200: s.MeetingDetailSerializer, **NOT_FOUND},
        tags=["doorstroomtafel"],
    )
    def get(self, request, public_id):
        from doorstroomtafel.queries import get_meeting_for_user

        meeting = get_meeting_for_user(request.user, public_id)
        meeting = (
            _meetings(request.user)
            .prefetch_related("items__student", "items__actions__owner_organisation")
            .get(pk=meeting.pk)
        )
        items = list(meeting.items.all())
        access_log(
            user=request.user,
            action=AccessLog.Action.LIST_STUDENTS,
            students=[item.student_id for item in items],
            detail=f"{_detail(request.user)}: meeting {meeting.public_id}",
        )
        return Response(self.get_serializer(meeting).data)


# --- Notifications ------------------------------------------------------------------------


class SubscriptionList(ApiView):
    required_scope = "notifications"
    serializer_class = s.SubscriptionSerializer

    def get_queryset(self):
        return Subscription.objects.filter(
            client=self.request.user.api_client_cached, is_active=True
        )

    @extend_schema(
        operation_id="subscriptions_list",
        summary=_("Abonnementen op meldingen"),
        responses={200: s.SubscriptionSerializer(many=True), **ERRORS},
        tags=["meldingen"],
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="subscriptions_create",
        summary=_("Abonneren op meldingen"),
        description=_(
            "Een HTTPS-adres dat naar geen loopback-, privé- of link-local-adres wijst. "
            "Koers stuurt per gebeurtenis een kleine, met HMAC-SHA256 ondertekende melding "
            "(alleen ids en soort); het geheim staat alleen in dit antwoord."
        ),
        request=s.SubscriptionSerializer,
        responses={201: s.SubscriptionCreatedSerializer, 400: PROBLEM, **ERRORS},
        tags=["meldingen"],
    )
    def post(self, request):
        body = s.SubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        events = sorted(set(body.validated_data["events"]))
        refused = [e for e in events if not policy.api_may_subscribe(request.auth, e)]
        if refused:
            return problem(
                403,
                detail=_("Het token heeft niet de scope voor deze gebeurtenissen."),
                instance=request.path,
            )
        url = body.validated_data["callback_url"]
        try:
            check_callback_url(url)
        except CallbackRefused as error:
            return problem(
                400,
                detail=_("Dit adres is niet toegestaan."),
                invalid=[{"name": "callback_url", "reason": str(error), "code": "refused"}],
                instance=request.path,
            )
        subscription = Subscription.objects.create(
            client=request.user.api_client_cached, callback_url=url, events=events
        )
        return Response(
            s.SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class SubscriptionDetail(ApiView):
    required_scope = "notifications"
    serializer_class = s.SubscriptionSerializer

    @extend_schema(
        operation_id="subscriptions_delete",
        summary=_("Abonnement opzeggen"),
        responses={204: None, **NOT_FOUND},
        tags=["meldingen"],
    )
    def delete(self, request, public_id):
        subscription = get_object_or_404(
            Subscription,
            client=request.user.api_client_cached,
            public_id=public_id,
            is_active=True,
        )
        subscription.is_active = False
        subscription.save(update_fields=["is_active"])
        return Response(status=status.HTTP_204_NO_CONTENT)
