"""No BSN reaches any log: every record of every logger during a run over the demo data
(pages, searches by BSN, an import with BSNs, wrong BSNs) is searched for every BSN."""

import logging
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from students.models import Student
from tests.students.importing_helpers import STUDENTS_HEADER, VALID_BSN, csv_text, run_import


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text}")


@pytest.fixture
def all_logging():
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_no_bsn_in_any_log_line(db, client, tmp_path, all_logging):
    call_command("seed_demo", force=True, verbosity=0)
    bsns = set(Student.objects.exclude(bsn="").values_list("bsn", flat=True))
    assert len(bsns) > 10
    for email in ("coordinator@horizon.demo", "mentor@horizon.demo", "leerplicht@nhn.demo"):
        client.force_login(User.objects.get(email=email))
        assert client.get("/").status_code == 200
        for bsn in list(bsns)[:5]:
            assert client.get("/students/", {"q": bsn}).status_code == 200
        for student in Student.objects.exclude(bsn="")[:10]:
            client.get(f"/students/{student.public_id}/")
            client.get(f"/route/{student.public_id}/")
        client.get("/students/doesnotexist/")
        client.post("/accounts/logout/")
    run_import(
        tmp_path,
        students=csv_text(
            STUDENTS_HEADER + ",bsn",
            f"9001,Anna,de Vries,2008-03-01,Alkmaar,{VALID_BSN}",
            "9002,Bram,Bakker,2009-06-15,Hoorn,123456789",
        ),
    )
    bsns.add(VALID_BSN)
    bsns.add("123456789")
    text = "\n".join(all_logging.lines)
    assert all_logging.lines, "the run logged nothing: the capture does not work"
    leaked = sorted(bsn for bsn in bsns if re.search(rf"(?<!\d){bsn}(?!\d)", text))
    assert not leaked, f"{len(leaked)} BSN(s) in the logs"
