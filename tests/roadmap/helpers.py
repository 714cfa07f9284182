"""Valid data for every step, so a test changes only what it is about."""

from datetime import timedelta

from roadmap.models import StepKind


def valid_data(kind, enrolment, today):
    day = min(today, enrolment.start_date + timedelta(days=7))
    if kind == StepKind.START:
        return {"date": enrolment.start_date, "intake_origin": "vso", "warm_handover": True}
    if kind == StepKind.STUDY_ADVICE:
        return {"date": day, "advice": "continue", "perspective_discussed": True}
    if kind == StepKind.ABA:
        return {"date": day, "decision": "apply", "applied_date": day, "uwv_outcome": "pending"}
    if kind == StepKind.PERSPECTIVE:
        return {"date": day, "perspective": "work", "destination_place": "Bakkerij Ooms"}
    if kind == StepKind.WORK:
        return {
            "date": day,
            "employer": "Bakkerij Ooms",
            "hours_per_week": 16,
            "employment_start": day,
            "contract_type": "fixed_term",
        }
    if kind == StepKind.FURTHER_EDUCATION:
        return {
            "date": day,
            "programme": "Logistiek medewerker (mbo 2)",
            "institution": "Clusius College",
        }
    if kind == StepKind.LEAVING:
        return {"date": day, "reason": "Verhuisd, geen passende opleiding"}
    raise AssertionError(kind)
