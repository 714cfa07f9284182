from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documenten")

    def ready(self):
        # A top-layer app: the student's page, the history, retention, the disclosure
        # labels and the demo data are registries the lower apps own.
        global _registered
        if _registered:
            return
        from accounts.demo import register_seeder
        from students.panels import (
            register_disclosure_sections,
            register_student_panel,
            register_student_presence,
        )
        from students.retention import register_retention_hook

        from .demo import seed_documents
        from .models import Document
        from .panels import student_documents_panel
        from .services import DISCLOSURE_SECTION, remove_for_retention

        register_student_panel(75, student_documents_panel, shared=True)
        register_student_presence("documents.documents", Document)
        register_disclosure_sections({DISCLOSURE_SECTION: _("Document")})
        register_retention_hook(remove_for_retention)
        # After the referrals (40) and the case table (95): documents attach to them.
        register_seeder(97, seed_documents, name="documents")
        from students.copies import register_copy_section

        from .copy import documents_copy

        register_copy_section(
            "documents", documents_copy, order=70, replaces=["documents.document"]
        )
        _registered = True
