"""Every write of documents: keyword-only, atomic, with the student's history.

The file goes to the private folder (settings.KOERS_DOCUMENT_ROOT) under the document's
random storage name; only `open_file` reads it back, for the download view that checked
the scope. Removal (by the one who added it or a coordinator, with a reason) and
retention delete the file from disk; a removed document keeps its row (title, who, why)
for the history until retention removes the student's data.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.services import referral_disclosure_add
from students.models import RecordChange
from students.services import record_change

from .filetypes import KINDS
from .models import Document

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User
    from students.models import Student

    from .filetypes import Detected

logger = logging.getLogger("koers.documents")

# The key of a shared document in a disclosure's sections (students.panels labels it).
DISCLOSURE_SECTION = "document"


class DocumentRemoveRefused(Exception):
    """The document is removed already (or was removed by someone else meanwhile)."""


def _root() -> Path:
    return Path(settings.KOERS_DOCUMENT_ROOT)


def file_path(document: Document) -> Path:
    """Where the file is: two levels of the random name, nothing else."""
    name = document.storage_name
    return _root() / name[:2] / name


def _write(path: Path, upload: UploadedFile) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    upload.seek(0)
    with open(path, "xb") as out:
        for chunk in (
            upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
        ):
            digest.update(chunk)
            out.write(chunk)
    path.chmod(0o600)
    return digest.hexdigest()


def _delete_file(document: Document) -> None:
    try:
        file_path(document).unlink(missing_ok=True)
    except OSError:  # pragma: no cover - a disk fault: logged, the row still goes
        logger.warning("document file could not be removed: %s", document.public_id)


def open_file(document: Document) -> IO[bytes]:
    return open(file_path(document), "rb")  # noqa: SIM115 - FileResponse closes it


# Runs of 8 or more digits (a BSN, a student or phone number) never reach a file name.
_LONG_NUMBER = re.compile(r"\d{8,}")
_UNSAFE = re.compile(r"[^A-Za-z0-9 _()-]+")


def download_name(document: Document) -> str:
    """A safe file name for the download: the title without accents, separators or long
    numbers, and the extension of what the file is."""
    text = unicodedata.normalize("NFKD", document.title).encode("ascii", "ignore").decode()
    text = _LONG_NUMBER.sub("", text)
    text = _UNSAFE.sub("-", text).strip(" -_")
    text = re.sub(r"[-\s]{2,}", " ", text)[:80].strip(" -_") or _("document")
    return text + KINDS[document.kind][1][0]  # type: ignore[index]  # kind holds a FileKind value


@transaction.atomic
def document_upload(
    *,
    student: Student,
    upload: UploadedFile,
    detected: Detected,
    title: str,
    actor: User,
    attach: Mapping[str, Any] | None = None,
) -> Document:
    """Keep an uploaded file (its type already `detected` by its content) as a document.

    `attach` is None or what the form's choice resolved to: {"step_kind", "step_enrolment"}
    or {"referral"} or {"agenda_item"}, plus "label". A document shared with a sent
    referral is recorded as a disclosure on the referral's basis.
    """
    attach = dict(attach or {})
    label = attach.pop("label", "")
    document = Document(  # type: ignore[misc]  # an upload knows its size
        student=student,
        title=title.strip(),
        kind=detected.kind,
        content_type=detected.content_type,
        size=upload.size,
        uploaded_by=actor,
        organisation=actor.active_membership.organisation,
        attached_to=label[:200],
        **attach,
    )
    path = file_path(document)
    document.sha256 = _write(path, upload)
    try:
        document.save()
        changes: dict[str, dict[str, Any]] = {
            "title": {"old": "", "new": document.title},
            "kind": {"old": "", "new": document.kind},
        }
        if label:
            changes["attached_to"] = {"old": "", "new": document.attached_to}
        record_change(
            student_id=student.pk,
            record=document,
            action=RecordChange.Action.CREATE,
            changes=changes,
            actor=actor,
        ).save()
        if document.referral_id is not None:
            referral_disclosure_add(
                # Set with referral_id (the stubs type the nullable relation as optional).
                referral=document.referral,  # type: ignore[arg-type]
                actor=actor,
                sections=[DISCLOSURE_SECTION],
                description=_("Document: %(title)s") % {"title": document.title},
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document


@transaction.atomic
def document_remove(*, document: Document, actor: User, reason: str) -> Document:
    """Remove a document: the file from disk at once, the row marked with who and why."""
    reason = (reason or "").strip()
    now = timezone.now()
    updated = Document.objects.filter(pk=document.pk, removed_at__isnull=True).update(
        removed_at=now, removed_by=actor, removal_reason=reason
    )
    if not updated:
        raise DocumentRemoveRefused(_("Dit document is al verwijderd."))
    record_change(
        student_id=document.student_id,
        record=document,
        action=RecordChange.Action.DELETE,
        changes={
            "title": {"old": document.title, "new": ""},
            "removal_reason": {"old": "", "new": reason},
        },
        actor=actor,
    ).save()
    _delete_file(document)
    document.refresh_from_db()
    return document


def remove_for_retention(student_ids: Collection[int]) -> None:
    """Retention hook (students.retention): the files from disk, then the rows."""
    documents = Document.objects.filter(student_id__in=student_ids)
    for document in documents.only("pk", "storage_name").iterator():
        _delete_file(document)
    documents.delete()
