from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_registered = False


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Journaal")

    def ready(self):
        # ready() may run more than once: register once.
        global _registered
        if _registered:
            return
        from accounts.policy import register_policy_model
        from students.demo import register_seeder
        from students.history import register_history
        from students.panels import (
            register_disclosure_sections,
            register_student_panel,
            register_student_presence,
        )
        from students.retention import register_retention_hook

        from .demo import seed_notes
        from .models import Note, NoteChange, NoteShare
        from .panels import journal_panel, shared_notes_panel
        from .services import DISCLOSURE_SECTION, remove_notes

        # A partner reads the notes shared with a referral (accounts.policy.shared_notes_q).
        register_policy_model("note_share", NoteShare)
        register_student_panel(35, journal_panel)
        # A partner's panel: the notes a referral shared with their organisation.
        register_student_panel(36, shared_notes_panel, shared=True)
        register_student_presence("casework.notes", Note)
        register_disclosure_sections({DISCLOSURE_SECTION: _("Journaalnotitie")})
        register_retention_hook(remove_notes)
        register_seeder(45, seed_notes, name="casework")
        register_history(NoteChange, record_model=lambda entry: Note)
        from students.copies import register_copy_section

        from .copy import journal_copy

        register_copy_section("journal", journal_copy, order=60, replaces=["casework.note"])
        _registered = True
