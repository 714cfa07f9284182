"""Every PDF Koers makes goes through here, from one base template (templates/pdf/).

`render_pdf` adds what every document carries: A4 (landscape where a wide table needs
it), page numbers ("pagina X van Y"), the date and time it was made, who made it (name
and organisation) and a confidentiality footer. The templates extend "pdf/base.html"
and fill its `content` block; its CSS wraps long words and fixes table layouts, so no
text runs off the page. The lowest layer (accounts), so every app can use it.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def css_string(text):
    """`text` as a quoted CSS string (for `content:` in the page's margin boxes)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;()-_/'" else f"\\{ord(ch):x} " for ch in str(text)
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308  # nosec B308 B703 - every other character is escaped


def made_by(user):
    """The maker as the document names them: name and the organisation they act for."""
    if user is None:
        return _("Koers")
    name = user.get_full_name() or user.email
    membership = getattr(user, "active_membership", None)
    if membership is not None:
        return f"{name} ({membership.organisation.name})"
    return name


def pdf_context(*, user, title, landscape=False, made_at=None):
    """What templates/pdf/base.html needs, under the key `pdf`."""
    made_at = timezone.localtime(made_at or timezone.now())
    page_numbers = (
        f"{css_string(_('pagina') + ' ')} counter(page) "
        f"{css_string(' ' + _('van') + ' ')} counter(pages)"
    )
    return {
        "title": title,
        "orientation": "landscape" if landscape else "portrait",
        "made_at": made_at,
        "made_by": made_by(user),
        "page_numbers": mark_safe(page_numbers),  # noqa: S308  # nosec B308 B703 - built from css_string
    }


def render_pdf(template, context, *, user, title, request=None, landscape=False, made_at=None):
    """The PDF (bytes) of `template`, which extends "pdf/base.html"."""
    from weasyprint import HTML

    context = {
        **context,
        "pdf": pdf_context(user=user, title=title, landscape=landscape, made_at=made_at),
    }
    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
