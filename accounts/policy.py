"""Who may do what: the access decisions of ACCESS.md as named predicates, in one place.

Each function answers one question in the form "may this user (acting in their active
membership) do X to Y?", or gives the filter that answers it for many records at once.
Views, services, imports and queries ask these; none decides access on its own. The
module sits in the lowest layer: it names the other apps' fields by lookup strings and
reads related objects by attribute, so it imports no model of a higher app. Where a
filter is a subquery over a higher app's table, that app registers its model here
(`register_policy_model`, from its AppConfig.ready()); it never looks a model up by name.

A refusal of a record outside the user's scope is a 404 (never a 403 that confirms the
record exists); the callers turn a False into Http404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from .models import Membership, Organisation, Role, User
from .registry import Registry


def active_membership(user):
    """The membership the user acts in now, or None (anonymous, no role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "active_membership", None)


def has_role(user, *roles: Role) -> bool:
    """The user acts in one of `roles` now."""
    membership = active_membership(user)
    return membership is not None and membership.role in roles


# --- Tables of the apps above, for the set-based filters ---------------------------------------
# A few filters below are subqueries over a higher app's table (a partner's referrals, the
# notes shared with a referral): the set-based form of a predicate that reads those records
# by attribute. Each such app hands its model over in its AppConfig.ready(), an import of
# this module that import-linter sees, so the dependency points from that app down to this
# one (referrals: "referral"; casework: "note_share").
policy_model_registry = Registry("models the access filters read")


def register_policy_model(key: str, model) -> None:
    """`model` is the table a filter here reads as `key` (registering again replaces it)."""
    policy_model_registry.add(model, key=key)


def _policy_model(key: str):
    return policy_model_registry.require(key)


# --- A student in the user's scope, asked once per request --------------------------------
# The student's page loads the student through the user's scope and then shows panels that
# each ask "is this student in my scope?" again (guardians, journal, invitations...). The
# page marks the student as seen in scope on the user object, which the authentication
# middleware loads anew for every request: the predicates below read the mark instead of
# asking the database again (issue 16).
_IN_SCOPE = "_koers_students_in_scope"


def remember_in_scope(user, student) -> None:
    """`student` was just loaded through Student.objects.visible_to(user), in the user's
    active membership: for the rest of this request it need not be looked up again."""
    membership = active_membership(user)
    if membership is None:
        return
    seen = getattr(user, _IN_SCOPE, None)
    if seen is None:
        seen = set()
        setattr(user, _IN_SCOPE, seen)  # request.user is a lazy object: no __dict__ here
    seen.add((membership.pk, student.pk))


def student_in_scope(user, student) -> bool:
    """The student is in the user's scope (Student.objects.visible_to) now: one query, or
    none when this request already loaded the student through that scope."""
    membership = active_membership(user)
    if membership is None:
        return False
    if (membership.pk, student.pk) in getattr(user, _IN_SCOPE, ()):
        return True
    return type(student).objects.visible_to(user).filter(pk=student.pk).exists()


def role_of(who):
    """The role `who` acts in: a Membership's own role, or the role of a user's active
    membership; None for anonymous users and users without a role."""
    if isinstance(who, Membership):
        return who.role
    membership = active_membership(who)
    return membership.role if membership is not None else None


# --- Roles, grouped once (ACCESS.md) --------------------------------------------------------
# Every grouping of roles is defined here, once; the groupings further down are made of
# these. Other modules ask the predicates below (each takes a user, acting in their
# active membership, or a Membership), never a tuple of roles of their own.

# The school's own writers of a student file and route: the mentor (own mentees) and the
# coordinator.
SCHOOL_WRITER_ROLES = (Role.MENTOR, Role.SCHOOL_COORDINATOR)
# The school's office: the coordinator and the intake desk work across mentors.
SCHOOL_OFFICE_ROLES = (Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK)
# Everyone who works at a school (their scope is their own school).
SCHOOL_STAFF_ROLES = (Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK)
# The regional offices: Leerplicht and the Doorstroompunt (their scope is the region).
REGIONAL_OFFICE_ROLES = (Role.LEERPLICHT, Role.DOORSTROOMPUNT)
# Partners: the organisations that see a student only through a referral they accepted.
PARTNER_ROLES = (Role.JONGEREN_STARTPUNT, Role.WI, Role.CARE)
# The organisations that see a student's whole file in their own scope: the school's staff
# and the regional offices (partners see only what a referral shared with them).
WHOLE_FILE_ROLES = SCHOOL_STAFF_ROLES + REGIONAL_OFFICE_ROLES
# Who may (re)assign a student's mentor (ACCESS.md: the school coordinator).
MENTOR_ASSIGNING_ROLES = (Role.SCHOOL_COORDINATOR,)
# Who reads the aggregate reports (a school's or the region's figures).
REPORT_ROLES = (Role.SCHOOL_COORDINATOR, Role.REGIONAL_COORDINATOR)


def _acts_in(who, roles) -> bool:
    role = role_of(who)
    return role is not None and role in roles


def is_school_writer(who) -> bool:
    """A mentor or school coordinator: writes the student file and the route (a mentor
    only for their own mentees, decided beside this)."""
    return _acts_in(who, SCHOOL_WRITER_ROLES)


def is_mentor(who) -> bool:
    return _acts_in(who, (Role.MENTOR,))


def works_across_mentors(who) -> bool:
    """The school's office (coordinator, intake desk): the school's students of every
    mentor, the Flexservice desk and the school's maatwerk trajectories."""
    return _acts_in(who, SCHOOL_OFFICE_ROLES)


def is_school_staff(who) -> bool:
    """Works at a school: the students of their own school are their scope."""
    return _acts_in(who, SCHOOL_STAFF_ROLES)


def is_regional_office(who) -> bool:
    """Leerplicht or the Doorstroompunt: the students of their region are their scope."""
    return _acts_in(who, REGIONAL_OFFICE_ROLES)


def is_functional_admin(who) -> bool:
    """The functional administrator: the admin, never student data."""
    return _acts_in(who, (Role.FUNCTIONAL_ADMIN,))


def can_assign_mentor(who) -> bool:
    return _acts_in(who, MENTOR_ASSIGNING_ROLES)


def may_see_reports(who) -> bool:
    """A school or regional coordinator: the aggregate reports of their scope."""
    return _acts_in(who, REPORT_ROLES)


def report_memberships_q() -> Q:
    """Memberships (a filter over Membership) in a role that reads the reports."""
    return Q(role__in=REPORT_ROLES)


# --- Administration import (INTERFACES.md section 1, "Acting for one institution") --------


def can_import(user) -> bool:
    """The user may upload administration files in the browser: a school coordinator."""
    return has_role(user, Role.SCHOOL_COORDINATOR)


def import_institution_id(user):
    """The institution a user's browser upload acts for (their own school), or None."""
    if not can_import(user):
        return None
    return active_membership(user).organisation_id


def import_may_touch_q(institution_id) -> Q:
    """Known students (a filter on Student) that an import acting for `institution_id` may
    update, or attach an enrolment, qualification or employment to: the student has or had
    an enrolment there, or an import acting for it created the student and the student is
    enrolled nowhere (else). The third way in is a row with the student's own BSN
    (`import_same_person`), decided per row. Rows may repeat: take distinct values."""
    return Q(enrolments__institution_id=institution_id) | Q(
        created_by_institution_id=institution_id, enrolments__isnull=True
    )


def import_same_person(row_bsn, student_bsn) -> bool:
    """A row whose BSN equals the known student's: the same person arriving from another
    school, whom the import may take over."""
    return bool(row_bsn) and row_bsn == student_bsn


def import_may_touch(student, institution_id, *, row_bsn="") -> bool:
    """One student: the decision of `import_may_touch_q` plus `import_same_person`."""
    institutions = {enrolment.institution_id for enrolment in student.enrolments.all()}
    return (
        institution_id in institutions
        or (student.created_by_institution_id == institution_id and not institutions)
        or import_same_person(row_bsn, student.bsn)
    )


def pending_mentor_link_q(email: str, organisation_id) -> Q:
    """Students waiting for a mentor with address `email` whom a mentor role at
    `organisation_id` may take: the students of that institution, as an import acting for
    it sees them (never a student of another school)."""
    return Q(pending_mentor_email=email.lower()) & import_may_touch_q(organisation_id)


# --- Case tables (DOORSTROOMTAFEL.md, "Who sees a meeting") -------------------------------

# A meeting, its agenda (page and PDF), its items and its minutes open to: users acting
# for one of the table's standing member organisations (mentors excepted), the table's
# standing member users, and each user invited to that meeting in person. An invitation
# opens the meeting to that person only, never to their colleagues. Everyone else gets
# a 404, whatever the meeting's status. The filters read the case table's memberships from
# accounts' side: the many-to-many tables behind User.case_tables, Organisation.case_tables
# and User.invited_meetings, which doorstroomtafel declares on accounts' models
# (CaseTable.member_users, CaseTable.member_organisations, Meeting.invited_users). So this
# module neither imports nor looks up a model of the doorstroomtafel app.

CASE_TABLE_EDITOR_ROLES = REGIONAL_OFFICE_ROLES
CASE_TABLE_PROPOSER_ROLES = SCHOOL_WRITER_ROLES
# Who may take part in a case table at all (the menu offers it): its editors, the
# schools that propose, and the partners.
CASE_TABLE_PARTICIPANT_ROLES = CASE_TABLE_EDITOR_ROLES + CASE_TABLE_PROPOSER_ROLES + PARTNER_ROLES


def proposes_for_case_tables(who) -> bool:
    """A mentor or school coordinator proposes students (they may write the file of) for
    a planned meeting: `can_propose_for_meeting`."""
    return _acts_in(who, CASE_TABLE_PROPOSER_ROLES)


def edits_case_tables(who) -> bool:
    """Leerplicht and the Doorstroompunt plan, prepare and minute case-table meetings."""
    return _acts_in(who, CASE_TABLE_EDITOR_ROLES)


def _standing_member_q(user, membership, table_ref) -> Q:
    """The table at `table_ref` (an OuterRef name) has the user as a standing member: by
    name, or through the organisation they act for (mentors excepted)."""
    q = Q(
        Exists(
            User.case_tables.through.objects.filter(
                casetable_id=OuterRef(table_ref), user_id=user.pk
            )
        )
    )
    if membership.role != Role.MENTOR:
        q |= Q(
            Exists(
                Organisation.case_tables.through.objects.filter(
                    casetable_id=OuterRef(table_ref), organisation_id=membership.organisation_id
                )
            )
        )
    return q


def case_tables_standing_q(user, *, membership=None) -> Q:
    """The tables the user stands at, as a filter over doorstroomtafel.CaseTable (one row
    per table): by name, or through the organisation they act for (mentors excepted)."""
    membership = membership or active_membership(user)
    if membership is None or not user.is_active:
        return Q(pk__in=[])
    return _standing_member_q(user, membership, "pk")


def meetings_visible_q(user, *, membership=None):
    """Who sees a meeting, as a filter over doorstroomtafel.Meeting (one row per meeting:
    EXISTS subqueries, no joins that repeat a meeting): the standing members of its table
    (`case_tables_standing_q`) and those invited to it. `membership` defaults to the one
    the user acts in now."""
    membership = membership or active_membership(user)
    if membership is None or not user.is_active:
        return Q(pk__in=[])
    return _standing_member_q(user, membership, "table_id") | Q(
        Exists(
            User.invited_meetings.through.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
        )
    )


def can_see_meeting(user, meeting) -> bool:
    """The predicate of meetings_visible_q for one meeting."""
    membership = active_membership(user)
    if membership is None or not user.is_active or meeting is None:
        return False
    table = meeting.table
    if membership.role != Role.MENTOR and (
        table.member_organisations.filter(pk=membership.organisation_id).exists()
    ):
        return True
    return (
        table.member_users.filter(pk=user.pk).exists()
        or meeting.invited_users.filter(pk=user.pk).exists()
    )


def can_prepare_meeting(user, meeting) -> bool:
    """Leerplicht and the Doorstroompunt prepare, minute and move a meeting they see."""
    return has_role(user, *CASE_TABLE_EDITOR_ROLES) and can_see_meeting(user, meeting)


def can_plan_meeting_at(user, table) -> bool:
    """Leerplicht and the Doorstroompunt plan meetings of a table they take part in."""
    membership = active_membership(user)
    if membership is None or membership.role not in CASE_TABLE_EDITOR_ROLES:
        return False
    if not user.is_active or not table.is_active:
        return False
    return (
        table.member_organisations.filter(pk=membership.organisation_id).exists()
        or table.member_users.filter(pk=user.pk).exists()
    )


def can_put_on_agenda(user, meeting, student, *, is_candidate=False) -> bool:
    """The preparer of a meeting they see puts on its agenda a student they may see
    themselves, or one the table's rules propose (`is_candidate`: the agenda's own list
    of candidates). The table's scope is the case table's rule, checked beside this."""
    if not can_prepare_meeting(user, meeting):
        return False
    if is_candidate:
        return True
    return student_in_scope(user, student)


def can_propose_for_meeting(user, meeting, student) -> bool:
    """A mentor or school coordinator who may write the student's file proposes the
    student for a planned meeting of a table; they do not see that meeting's agenda."""
    membership = active_membership(user)
    if membership is None or membership.role not in CASE_TABLE_PROPOSER_ROLES:
        return False
    if not user.is_active or not meeting.table.is_active:
        return False
    if membership.role == Role.MENTOR and student.mentor_id != user.pk:
        return False  # a mentor acts for their own mentees only
    return student_in_scope(user, student)


def meeting_participants_q(meeting):
    """The users who take part in a meeting whatever membership they act in now, as a
    filter over User: the people who may own an action or hold the lead. A user counts
    for an organisation through an active, non-mentor membership of a member
    organisation."""
    from django.db.models import Exists, OuterRef, Q

    from .models import Membership

    table = meeting.table
    return (
        Q(pk__in=table.member_users.values("pk"))
        | Q(pk__in=meeting.invited_users.values("pk"))
        | Q(
            Exists(
                Membership.objects.filter(
                    user_id=OuterRef("pk"),
                    is_active=True,
                    organisation_id__in=table.member_organisations.values("pk"),
                ).exclude(role=Role.MENTOR)
            )
        )
    ) & Q(is_active=True)


def can_take_part_in(person, meeting) -> bool:
    """`person` (any user, not only the one asking) takes part in the meeting."""
    from .models import User

    return User.objects.filter(meeting_participants_q(meeting), pk=person.pk).exists()


def may_be_standing_member(person, organisation_ids) -> bool:
    """A table's standing member user belongs to one of its member organisations (an
    active membership there)."""
    from .models import Membership

    return Membership.objects.filter(
        user_id=person.pk, is_active=True, organisation_id__in=list(organisation_ids)
    ).exists()


# --- Referrals and partners (ACCESS.md; REFERRALS.md) -------------------------------------

# Who sends referrals (and whose scope a referral's student must be in).
REFERRAL_SENDER_ROLES = SCHOOL_WRITER_ROLES + REGIONAL_OFFICE_ROLES
# Who works with referrals: their senders and the partners that receive them.
REFERRAL_PARTICIPANT_ROLES = REFERRAL_SENDER_ROLES + PARTNER_ROLES
# Organisation kinds that can receive a referral.
REFERRAL_RECEIVER_KINDS = ("jongeren_startpunt", "wi", "care", "school", "doorstroompunt")
# The referral states in which the receiver sees what was shared: from acceptance until
# the referral ends (completed) or the consent it rested on is withdrawn.
RECEIVER_SEES_STATUSES = ("accepted",)


def sees_only_shared_sections(who) -> bool:
    """The user is a partner: of a student's file they see only what a referral shared
    with their organisation (never the file itself, the route, signals or history)."""
    return _acts_in(who, PARTNER_ROLES)


def can_send_referral(who) -> bool:
    """A sender role: mentor, school coordinator, Leerplicht, Doorstroompunt (the student
    must be in the sender's scope as well: `may_send_referral_for`)."""
    return _acts_in(who, REFERRAL_SENDER_ROLES)


def receiver_sees_shared_data(referral) -> bool:
    """The receiving organisation sees the shared sections of this referral now: after
    accepting, until the referral ends or the consent it rested on is withdrawn."""
    return referral.status in RECEIVER_SEES_STATUSES and referral.consent_withdrawn_at is None


def shared_referrals_q(organisation_id) -> Q:
    """Referrals (as a filter over Referral) whose shared sections `organisation_id` sees
    now; the same rule as receiver_sees_shared_data, for many records."""
    return Q(
        to_organisation_id=organisation_id,
        status__in=RECEIVER_SEES_STATUSES,
        consent_withdrawn_at__isnull=True,
    )


def partner_student_scope(membership, today) -> Q | None:
    """Students a partner sees (as a filter over Student): those referred to the
    partner's organisation by a referral it accepted and may still read. None for every
    other role (their scope is their own, ACCESS.md)."""
    if membership is None or membership.role not in PARTNER_ROLES:
        return None
    return Q(
        Exists(
            _policy_model("referral").objects.filter(
                shared_referrals_q(membership.organisation_id), student=OuterRef("pk")
            )
        )
    )


def may_send_referral_for(user, student) -> bool:
    """The user may send a referral for this student: a sender role, and the student in
    the user's own scope (outside it the student page and the form are a 404)."""
    if not has_role(user, *REFERRAL_SENDER_ROLES):
        return False
    return student_in_scope(user, student)


def referral_receivers_q(user, student) -> Q:
    """The organisations (as a filter over Organisation) this user may send a referral
    about this student to: active receiving organisations of the student's region (the
    region of the student's municipality), never the sender's own organisation."""
    membership = active_membership(user)
    region_id = getattr(getattr(student, "municipality", None), "region_id", None)
    if membership is None or region_id is None:
        return Q(pk__in=[])
    return Q(kind__in=REFERRAL_RECEIVER_KINDS, is_active=True, region_id=region_id) & ~Q(
        pk=membership.organisation_id
    )


# --- Signals and the roadmap (MONITORING.md; ROADMAP.md) ----------------------------------


def signal_scope_q(user) -> Q | None:
    """The signals (as a filter over Signal, within the students the user sees) the user
    may see and act on: a mentor the school signals of their own students, everyone
    else the signals addressed to their organisation. None: no signals at all."""
    membership = active_membership(user)
    if membership is None:
        return None
    if membership.role == Role.MENTOR:
        return Q(student__mentor_id=user.pk, assignee="school")
    return Q(organisation_id=membership.organisation_id)


# --- Reports and exports --------------------------------------------------------------------


# --- Menu and start pages (issue 15: no dead ends) ------------------------------------------

# Roles that work with person-level student lists: a scope of their own (students.queries)
# or the students of the referrals they accepted (partners). The regional coordinator works
# with aggregate figures only and the functional administrator with the admin (ACCESS.md):
# a student list would only ever be empty for them.
STUDENT_LIST_ROLES = frozenset(WHOLE_FILE_ROLES + PARTNER_ROLES)
# Roles no signal is ever addressed to (signals go to a school, Leerplicht, the
# Doorstroompunt or a partner that received a referral): no attention list for them.
NO_SIGNAL_ROLES = frozenset({Role.REGIONAL_COORDINATOR, Role.FUNCTIONAL_ADMIN})
# Roles whose start page opens with the region's headline figures.
HEADLINE_FIGURE_ROLES = frozenset({Role.REGIONAL_COORDINATOR})


def uses_student_list(user) -> bool:
    """The user works with a list of students (the menu offers "Studenten")."""
    return has_role(user, *STUDENT_LIST_ROLES)


def has_attention_list(user) -> bool:
    """Signals can be addressed to the user's organisation and role (a start-page list)."""
    membership = active_membership(user)
    return membership is not None and membership.role not in NO_SIGNAL_ROLES


def sees_headline_figures(user) -> bool:
    """The start page shows the kept headline figures of the user's reports scope."""
    return has_role(user, *HEADLINE_FIGURE_ROLES)


# --- The young person's own view (issue 18; portal) -----------------------------------------

# A student account is a User with no membership, linked to one student through
# portal.StudentAccount (read here by attribute, `user.student_account`). It never acts in
# a staff role and reaches only the portal's own pages; staff never reach those pages.
STUDENT_INVITE_ROLES = SCHOOL_WRITER_ROLES
STUDENT_INVITE_MIN_AGE = 16
# The URL namespace of the student's pages; the other namespaces and names a student
# account may open (sign out, the authenticator code of the password route).
STUDENT_PORTAL_NAMESPACE = "portal"
STUDENT_ACCOUNT_OTHER_URL_NAMES = (
    "accounts:logout",
    "accounts:otp_enrol",
    "accounts:otp_verify",
    "set_language",
    "healthz",
)
# Who answers a student's correction request or objection at the organisation it went to.
RIGHTS_REQUEST_ANSWER_ROLES = (
    (Role.SCHOOL_COORDINATOR,)
    + REGIONAL_OFFICE_ROLES
    + PARTNER_ROLES
    + (Role.REGIONAL_COORDINATOR,)
)


def student_account_of(user):
    """The student account of `user`, or None (staff, anonymous, inactive)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.student_account
    except Exception:  # noqa: BLE001 - the reverse one-to-one raises DoesNotExist
        return None


def is_student_account(user) -> bool:
    return student_account_of(user) is not None


def student_account_may_open(view_name: str, namespace: str) -> bool:
    """A signed-in student account opens only the portal and the few shared pages."""
    return namespace == STUDENT_PORTAL_NAMESPACE or view_name in STUDENT_ACCOUNT_OTHER_URL_NAMES


def may_use_portal(user) -> bool:
    """The student's own pages: a student account with no staff membership."""
    return is_student_account(user) and not user.memberships.exists()


def student_invite_age_ok(age: int) -> bool:
    """Students of 16 or older (`age`: completed years today) are invited; younger
    students see their file through their school (and their parents)."""
    return age >= STUDENT_INVITE_MIN_AGE


def can_invite_student(user, student) -> bool:
    """The student's own mentor, or a coordinator of a school the student is enrolled
    at, may invite a student they see (the age rule is `student_invite_age_ok`)."""
    membership = active_membership(user)
    if membership is None or membership.role not in STUDENT_INVITE_ROLES or not user.is_active:
        return False
    if membership.role == Role.MENTOR and student.mentor_id != user.pk:
        return False  # a mentor acts for their own mentees only
    return student_in_scope(user, student)


def student_owns(user, student_id) -> bool:
    """The record belongs to the signed-in student account's own file."""
    account = student_account_of(user)
    return account is not None and account.student_id == student_id


def student_may_withdraw_consent(user, referral) -> bool:
    """The young person withdraws the consent a referral of their own rests on."""
    return student_owns(user, referral.student_id)


def rights_requests_q(user) -> Q:
    """The students' requests a user answers, as a filter over portal.RightsRequest: those
    sent to the organisation they act for, in a role that answers for it."""
    membership = active_membership(user)
    if membership is None or membership.role not in RIGHTS_REQUEST_ANSWER_ROLES:
        return Q(pk__in=[])
    return Q(organisation_id=membership.organisation_id)


def can_answer_rights_request(user, rights_request) -> bool:
    """The predicate of rights_requests_q for one request."""
    membership = active_membership(user)
    return (
        membership is not None
        and membership.role in RIGHTS_REQUEST_ANSWER_ROLES
        and membership.organisation_id == rights_request.organisation_id
    )


# --- Lists and regions (issue 15: a region's own measures) --------------------------------

# The Flexservice's intake desk is worked by the school's office (ROC).
FLEXSERVICE_DESK_ROLES = SCHOOL_OFFICE_ROLES
FLEXSERVICE_RESULTS_ROLES = FLEXSERVICE_DESK_ROLES + (Role.REGIONAL_COORDINATOR,)
# Maatwerk trajectories are the school's: its staff who see the student.
TRAJECTORY_ROLES = SCHOOL_STAFF_ROLES


def works_at_flexservice_desk(who) -> bool:
    """Intake desk or school coordinator: the ROC's Flexservice intake desk."""
    return _acts_in(who, FLEXSERVICE_DESK_ROLES)


def works_with_trajectories(who) -> bool:
    """School staff: the maatwerk trajectories of the students they see at their school."""
    return _acts_in(who, TRAJECTORY_ROLES)


def may_see_flexservice_results(user) -> bool:
    """The Flexservice's results and targets belong to the region that runs the measure
    (REFERRALS.md, "Results against the targets"): its intake desks, school coordinators
    and regional coordinator see them; anyone of another region gets a 404."""
    from .regions import runs_flexservice

    membership = active_membership(user)
    if membership is None or membership.role not in FLEXSERVICE_RESULTS_ROLES:
        return False
    organisation = membership.organisation
    return runs_flexservice(organisation.region if organisation.region_id else None)


# --- The API for other systems (issue 17; api/) ----------------------------------------
# A system acts through a service account with one membership (its organisation and role),
# so every predicate above and every visible_to() applies to it unchanged. These decide
# only what is the API's own: which roles a system may act in, which scopes it holds, and
# who is told of an event.

# Roles a system may act in: those whose work is their organisation's. Not a mentor (a
# mentor's scope is a person's own mentees), not the regional coordinator or the
# functional administrator (no person-level data through an API).
API_CLIENT_ROLES = SCHOOL_OFFICE_ROLES + REGIONAL_OFFICE_ROLES + PARTNER_ROLES

# The scope each notification event needs.
API_EVENT_SCOPES = {
    "referral.received": "referrals",
    "signal.assigned": "signals",
    "action.due": "meetings",
}


def api_client_role_allowed(role) -> bool:
    """A system may be registered to act in `role`."""
    return role in API_CLIENT_ROLES


def api_client_may_act(client) -> bool:
    """An API client may call at all: registered, active, in a role a system may hold,
    with an active service account."""
    return (
        client is not None
        and client.is_active
        and client.role in API_CLIENT_ROLES
        and client.user.is_active
    )


def api_client_scopes(client, every) -> list:
    """The scopes a token of `client` may carry: those registered on it (of `every`)."""
    if client is None or not client.is_active:
        return []
    return [scope for scope in every if scope in (client.scopes or [])]


def api_token_allows(token, scope) -> bool:
    """The (unexpired) token carries `scope`; a view without a scope needs a valid token."""
    return token.is_valid([scope] if scope else None)


def api_can_write_administration(user) -> bool:
    """Administration writes through the API act for the client's own institution, as the
    coordinator's upload does (`can_import`, `import_institution_id`)."""
    return can_import(user)


def api_may_subscribe(token, event) -> bool:
    """A subscription to `event` needs the scope of what the event is about."""
    scope = API_EVENT_SCOPES.get(event)
    return scope is not None and api_token_allows(token, scope)


def api_subscribers_q(organisation_id) -> Q:
    """Subscriptions (a filter on api.Subscription) told of events about a record of
    `organisation_id`: active ones of active clients of that organisation (each then
    only of the events it chose, `api_subscription_wants`)."""
    return Q(is_active=True, client__is_active=True, client__organisation_id=organisation_id)


def api_subscription_wants(subscription, event) -> bool:
    return event in (subscription.events or [])


# --- Caseload, groups and bulk actions (issue 19, parts 4 and 6) ----------------------------

# The mentor's own class overview; the school coordinator sees every mentor's caseload at
# the school and opens any of them.
CASELOAD_MENTOR_ROLES = (Role.MENTOR,)
CASELOAD_COORDINATOR_ROLES = (Role.SCHOOL_COORDINATOR,)
# Who changes a student's class or group (the coordinator, as for the mentor).
GROUP_EDITING_ROLES = (Role.SCHOOL_COORDINATOR,)


def has_caseload(user) -> bool:
    """A mentor's own caseload page, or a coordinator's overview of the school's mentors."""
    return has_role(user, *CASELOAD_MENTOR_ROLES, *CASELOAD_COORDINATOR_ROLES)


def sees_school_caseloads(user) -> bool:
    return has_role(user, *CASELOAD_COORDINATOR_ROLES)


def may_edit_groups(user) -> bool:
    return has_role(user, *GROUP_EDITING_ROLES)


def bulk_student_actions(user) -> tuple:
    """The bulk actions on selected students this user may take (keys of caseload.bulk):
    the coordinator assigns a mentor and sets a group; both propose for a case table."""
    membership = active_membership(user)
    if membership is None or not user.is_active:
        return ()
    actions = []
    if membership.role == Role.SCHOOL_COORDINATOR:
        actions += ["mentor", "group"]
    if membership.role in CASE_TABLE_PROPOSER_ROLES:
        actions.append("case_table")
    return tuple(actions)


# --- Documents (issue 19, part 3; documents app) ------------------------------------------

# Who attaches documents to a student's file (the student in their own scope). Partners
# only read what a referral shared with them.
DOCUMENT_UPLOAD_ROLES = WHOLE_FILE_ROLES
# Besides the one who added it, who may remove a document (with a reason).
DOCUMENT_REMOVE_ROLES = (Role.SCHOOL_COORDINATOR,)


def may_upload_documents(user) -> bool:
    """The user may attach documents to the files of the students they see."""
    return has_role(user, *DOCUMENT_UPLOAD_ROLES)


def documents_visible_q(user) -> Q:
    """The documents (as a filter over documents.Document, within the students the user
    sees) the user may list and download: a partner only those attached to a referral
    whose shared sections their organisation sees now (`shared_referrals_q`); every
    other role with the student in scope, all of the student's documents."""
    membership = active_membership(user)
    if membership is None:
        return Q(pk__in=[])
    if membership.role in PARTNER_ROLES:
        referrals = _policy_model("referral").objects.filter(
            shared_referrals_q(membership.organisation_id)
        )
        return Q(referral__in=referrals.values("pk"))
    if membership.role in (Role.REGIONAL_COORDINATOR, Role.FUNCTIONAL_ADMIN):
        return Q(pk__in=[])
    return Q()


def can_remove_document(user, document) -> bool:
    """The one who added it, or a coordinator (of a student in their scope)."""
    membership = active_membership(user)
    if membership is None or membership.role in PARTNER_ROLES:
        return False
    return document.uploaded_by_id == user.pk or membership.role in DOCUMENT_REMOVE_ROLES


def document_referrals_q(user) -> Q:
    """Referrals (as a filter over Referral) a document may be shared with by this user:
    sent by the user's organisation and sent or accepted now (a draft has no disclosure
    yet; an ended one shares nothing more)."""
    membership = active_membership(user)
    if membership is None:
        return Q(pk__in=[])
    return Q(
        from_organisation_id=membership.organisation_id,
        status__in=("sent", "accepted"),
        consent_withdrawn_at__isnull=True,
    )


# --- Parents and guardians; the journal (issue 19, parts 1 and 2) --------------------------

# A student's parents, guardians and network are contact details: shown to those who see
# the student's own contact details (the whole file: never a partner, who sees only what a
# referral shared), written by those who may change the student's file (the school).
GUARDIAN_EDITOR_ROLES = SCHOOL_STAFF_ROLES
# From this age the student is asked whether a parent or contact may be involved.
GUARDIAN_AGREEMENT_MIN_AGE = 16


def sees_contact_details(user) -> bool:
    """The user sees a visible student's contact details (and parents and network): every
    role with a scope of its own; a partner sees only what a referral shared."""
    membership = active_membership(user)
    return (
        membership is not None
        and membership.role in STUDENT_LIST_ROLES
        and not sees_only_shared_sections(user)
    )


def may_edit_guardians(user, student) -> bool:
    """The school's mentor, coordinator or intake desk, for a student whose file they may
    change (students.queries.writable_students)."""
    if not has_role(user, *GUARDIAN_EDITOR_ROLES):
        return False
    return student_in_scope(user, student)


def guardian_agreement_asked(student, today) -> bool:
    """Whether the student agreed to involve a contact is asked from 16 only."""
    from rulebook.dates import age_on

    return age_on(student.date_of_birth, today) >= GUARDIAN_AGREEMENT_MIN_AGE


# The journal (casework.Note): organisations that see the whole file write and read notes;
# partners never (a note is not shared with a partner unless a referral shares it).
NOTE_ROLES = WHOLE_FILE_ROLES
# Who reads a note at "only me and my coordinator" besides its author: a coordinator of
# the organisation the author wrote for.
NOTE_COORDINATOR_ROLES = (Role.SCHOOL_COORDINATOR,)
# Hours during which the author may still change a note; after that only addenda.
NOTE_EDIT_HOURS = 24
# The confidentiality levels (casework.Confidentiality values).
NOTE_LEVEL_ORGANISATION = "organisation"
NOTE_LEVEL_FILE = "file"
NOTE_LEVEL_PRIVATE = "private"


def may_use_journal(user) -> bool:
    return has_role(user, *NOTE_ROLES) and user.is_active


def notes_visible_q(user) -> Q:
    """The notes (a filter over casework.Note, of students the user sees) the user may
    read: their own; "every organisation that sees the whole file"; "my organisation" of
    their organisation; "only me and my coordinator" when they coordinate the author's
    organisation."""
    membership = active_membership(user)
    if membership is None or membership.role not in NOTE_ROLES or not user.is_active:
        return Q(pk__in=[])
    q = (
        Q(author_id=user.pk)
        | Q(level=NOTE_LEVEL_FILE)
        | Q(level=NOTE_LEVEL_ORGANISATION, organisation_id=membership.organisation_id)
    )
    if membership.role in NOTE_COORDINATOR_ROLES:
        q |= Q(level=NOTE_LEVEL_PRIVATE, organisation_id=membership.organisation_id)
    return q


def can_read_note(user, note) -> bool:
    """The predicate of notes_visible_q for one note (the student's scope checked apart)."""
    membership = active_membership(user)
    if membership is None or membership.role not in NOTE_ROLES or not user.is_active:
        return False
    if note.author_id == user.pk or note.level == NOTE_LEVEL_FILE:
        return True
    same_organisation = note.organisation_id == membership.organisation_id
    if note.level == NOTE_LEVEL_ORGANISATION:
        return same_organisation
    return same_organisation and membership.role in NOTE_COORDINATOR_ROLES


def may_write_note(user, student) -> bool:
    """A journal role writes notes about a student it sees."""
    if not may_use_journal(user):
        return False
    return student_in_scope(user, student)


def note_locked(note, now) -> bool:
    from datetime import timedelta

    return now >= note.created_at + timedelta(hours=NOTE_EDIT_HOURS)


def can_edit_note(user, note, now) -> bool:
    """Only its author changes a note, during the first NOTE_EDIT_HOURS."""
    return note.author_id == user.pk and can_read_note(user, note) and not note_locked(note, now)


def can_add_addendum(user, note) -> bool:
    """Who reads a note and writes in the journal may add an addendum to it."""
    return may_use_journal(user) and can_read_note(user, note)


# --- Notifications and the calendar (issue 19; accounts/notifications.py, planner) --------

# Who at a receiving organisation is told that a referral arrived: the partner roles,
# and where a school or the Doorstroompunt receives, the roles that take it in.
REFERRAL_NOTIFIED_ROLES = PARTNER_ROLES + SCHOOL_OFFICE_ROLES + (Role.DOORSTROOMPUNT,)
# The roadmap's due steps and follow-up meetings are the school's work.
CALENDAR_STEP_ROLES = SCHOOL_WRITER_ROLES
# No calendar: no student work of their own.
NO_CALENDAR_ROLES = (Role.REGIONAL_COORDINATOR, Role.FUNCTIONAL_ADMIN)


def has_calendar(user) -> bool:
    """The user has a calendar (the page, the menu item and a feed)."""
    membership = active_membership(user)
    return membership is not None and membership.role not in NO_CALENDAR_ROLES


def sees_due_steps_in_calendar(user) -> bool:
    """Due roadmap steps and follow-up meetings appear in the user's calendar."""
    return has_role(user, *CALENDAR_STEP_ROLES)


# --- Journal notes shared in a referral (issue 19, part 2: "never a partner unless shared
# in a referral") -------------------------------------------------------------------------


def note_shareable_level(note) -> bool:
    """A note at "only me and my coordinator" is never shared with another organisation."""
    return note.level != NOTE_LEVEL_PRIVATE


def may_share_note(user, note) -> bool:
    """The user may share this note with a referral of their organisation: they read the
    note (the student's scope is checked apart) and its level allows sharing. Which
    referrals: `document_referrals_q` (sent or accepted, consent not withdrawn)."""
    return can_read_note(user, note) and note_shareable_level(note)


def shared_notes_q(user) -> Q:
    """Notes (a filter over casework.Note) a partner reads: shared with a referral whose
    shared sections their organisation sees now (`shared_referrals_q`). Nobody else reads
    notes through a share (they have the journal, or nothing)."""
    membership = active_membership(user)
    if membership is None or membership.role not in PARTNER_ROLES or not user.is_active:
        return Q(pk__in=[])
    referrals = _policy_model("referral").objects.filter(
        shared_referrals_q(membership.organisation_id)
    )
    shares = _policy_model("note_share").objects.filter(referral__in=referrals.values("pk"))
    # A subquery over the shares (not a join): a note shared twice is one row.
    return Q(pk__in=shares.values("note_id"))
