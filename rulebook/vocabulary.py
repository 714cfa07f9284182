"""The words of the rule book: every value a rule compares with, defined once.

These are the values the apps store (students.models Level, EndReason, QualificationType;
roadmap.models Advice, Perspective, ContactKind; monitoring.models SignalKind, Assignee,
ClosedReason). The apps keep their TextChoices (with the Dutch labels); a test
(tests/rulebook/test_vocabulary.py) checks that their values are these, so a rule, a query
expression and an SQL fragment built from these names can never spell a value the
database does not hold.
"""

from collections.abc import Iterable

# --- students: Level --------------------------------------------------------------------
ENTREE = "entree"
MBO2 = "2"
MBO3 = "3"
MBO4 = "4"
VAVO = "vavo"
LEVELS = (ENTREE, MBO2, MBO3, MBO4, VAVO)

# --- students: EndReason ----------------------------------------------------------------
DIPLOMA = "diploma"
END_DROPOUT = "dropout"
SWITCH = "switch"
OTHER = "other"
END_REASONS = (DIPLOMA, END_DROPOUT, SWITCH, OTHER)

# --- students: QualificationType --------------------------------------------------------
VMBO = "vmbo"
HAVO = "havo"
VWO = "vwo"
PRO = "pro"
VSO = "vso"
MBO = "mbo"
# ENTREE ("entree") is a qualification type too.
QUALIFICATION_TYPES = (VMBO, HAVO, VWO, PRO, VSO, ENTREE, MBO)

# --- What the rules make of them (MONITORING.md section 1) -------------------------------
# Startkwalificatie: a diploma at level 2, 3 or 4 (an enrolment ended with a diploma, or an
# mbo qualification), or havo or vwo.
SK_ENROLMENT_LEVELS = frozenset({MBO2, MBO3, MBO4})
SK_QUALIFICATION_TYPES = frozenset({HAVO, VWO})
SK_MBO_LEVELS = frozenset({MBO2, MBO3, MBO4})
# Exempt: a pro or vso certificate.
EXEMPTING_QUALIFICATION_TYPES = frozenset({PRO, VSO})
# A next step: another enrolment at level 2, 3, 4 or vavo.
NEXT_STEP_LEVELS = frozenset({MBO2, MBO3, MBO4, VAVO})

# --- roadmap: Advice, Perspective, ContactKind ------------------------------------------
ADVICE_CONTINUE = "continue"
ADVICE_STOP = "stop"
ADVICES = (ADVICE_CONTINUE, ADVICE_STOP)

PERSPECTIVE_WORK = "work"
PERSPECTIVE_FURTHER_EDUCATION = "further_education"
DAGBESTEDING = "dagbesteding"
PRAKTIJKLEREN = "praktijkleren"
PERSPECTIVES = (PERSPECTIVE_WORK, PERSPECTIVE_FURTHER_EDUCATION, DAGBESTEDING, PRAKTIJKLEREN)
# A secured next step: a step-4/5 destination of these types with a named place.
SECURED_DESTINATION_TYPES = frozenset({DAGBESTEDING, PRAKTIJKLEREN})

WORK_CHECKIN = "work_checkin"
DSP_CONTACT = "dsp_contact"

# --- monitoring: Assignee -----------------------------------------------------------------
SCHOOL = "school"
LEERPLICHT = "leerplicht"
DOORSTROOMPUNT = "doorstroompunt"
ASSIGNEES = (SCHOOL, LEERPLICHT, DOORSTROOMPUNT)

# --- monitoring: SignalKind, in the order of the table of section 2 ----------------------
STUDY_ADVICE_DUE = "study_advice_due"
PERSPECTIVE_DUE = "perspective_due"
NO_NEXT_STEP = "no_next_step"
DROPOUT = "dropout"
JOB_LOST = "job_lost"
NEXT_STEP_CHECK = "next_step_check"
WORK_CHECKIN_DUE = "work_checkin_due"
MONITORING_HANDOVER = "monitoring_handover"
DSP_CHECKIN_DUE = "dsp_checkin_due"
SIGNAL_KINDS = (
    STUDY_ADVICE_DUE,
    PERSPECTIVE_DUE,
    NO_NEXT_STEP,
    DROPOUT,
    JOB_LOST,
    NEXT_STEP_CHECK,
    WORK_CHECKIN_DUE,
    MONITORING_HANDOVER,
    DSP_CHECKIN_DUE,
)
# The enrolment signals follow the Entree enrolment; section 4 does not close them.
ENROLMENT_SIGNAL_KINDS = frozenset({STUDY_ADVICE_DUE, PERSPECTIVE_DUE, NO_NEXT_STEP})
# The leaving situations carry the name of their signal.
LEAVING_SITUATIONS = (DROPOUT, JOB_LOST, NEXT_STEP_CHECK)
# Doorstroomtafel candidate: one of these open (or a step-2 advice "stop").
DOORSTROOMTAFEL_KINDS = frozenset({DROPOUT, NEXT_STEP_CHECK, JOB_LOST, NO_NEXT_STEP})

# --- monitoring: the reasons for the end of monitoring (section 4), ClosedReason ----------
AGE_LIMIT = "age_limit"
STARTKWALIFICATIE = "startkwalificatie"
END_OF_MONITORING_REASONS = (AGE_LIMIT, STARTKWALIFICATIE)


def sql_list(values: Iterable[str]) -> str:
    """A constant set as an SQL list literal, in a fixed order: ('a', 'b').

    Only for the constants above (no quotes in them), so that SQL text stays a constant."""
    items = sorted(values)
    for value in items:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a vocabulary value: {value!r}")
    return "(" + ", ".join(f"'{value}'" for value in items) + ")"
