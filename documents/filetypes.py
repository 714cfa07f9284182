"""What a file is, by its content (magic bytes), never by its name.

PDF, PNG and JPEG are recognised by `filetype` (their signatures). Office documents are
zip archives: an OOXML file (docx, xlsx, pptx) names its main part's content type in
`[Content_Types].xml`, an OpenDocument file (odt, ods, odp) names its type in the
`mimetype` entry. Only those small entries are read, never the whole archive, so a zip
bomb costs nothing. Macro-enabled variants (docm, xlsm) and legacy binary formats (doc,
xls) are not accepted.
"""

import zipfile
from dataclasses import dataclass

import filetype

from .models import FileKind

# kind -> (MIME type served, extensions the file's name may have)
KINDS = {
    FileKind.PDF: ("application/pdf", (".pdf",)),
    FileKind.PNG: ("image/png", (".png",)),
    FileKind.JPEG: ("image/jpeg", (".jpg", ".jpeg")),
    FileKind.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    FileKind.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
    ),
    FileKind.PPTX: (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    FileKind.ODT: ("application/vnd.oasis.opendocument.text", (".odt",)),
    FileKind.ODS: ("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    FileKind.ODP: ("application/vnd.oasis.opendocument.presentation", (".odp",)),
}

_SIGNATURE_KINDS = {
    "application/pdf": FileKind.PDF,
    "image/png": FileKind.PNG,
    "image/jpeg": FileKind.JPEG,
}
# The main part of an OOXML package, as [Content_Types].xml names it.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": FileKind.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": FileKind.PPTX,
}
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": FileKind.ODT,
    "application/vnd.oasis.opendocument.spreadsheet": FileKind.ODS,
    "application/vnd.oasis.opendocument.presentation": FileKind.ODP,
}
# The small entries read from an office archive (anything larger is not a real one).
_ENTRY_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Detected:
    kind: str
    content_type: str


def extension_of(name):
    name = (name or "").lower().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def kind_for_extension(extension):
    for kind, (_mime, extensions) in KINDS.items():
        if extension in extensions:
            return kind
    return None


def _office_kind(fileobj):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= _ENTRY_LIMIT:
                    mimetype = archive.read(info).decode("ascii", "replace").strip()
                    if mimetype in _ODF_MIMETYPES:
                        return _ODF_MIMETYPES[mimetype]
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size <= _ENTRY_LIMIT:
                    text = archive.read(info).decode("utf-8", "replace")
                    for content_type, kind in _OOXML_MAIN.items():
                        if f'ContentType="{content_type}"' in text:
                            return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def detect(fileobj):
    """The Detected kind of an (uploaded) file by its content, or None when not allowed."""
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    if not head:
        return None
    kind = None
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(fileobj)
        fileobj.seek(0)
    else:
        guessed = filetype.guess(head)
        if guessed is not None:
            kind = _SIGNATURE_KINDS.get(guessed.mime)
    if kind is None:
        return None
    return Detected(kind=kind, content_type=KINDS[kind][0])
