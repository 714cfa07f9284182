"""The administration import (INTERFACES.md section 1): students, enrolments,
qualifications and employment from CSV files exported by the school administration.

Three steps, shared by `manage.py import_admin` and the coordinators' import page:

- `validate(files, ..., institution_id=None)` reads every file and collects *every*
  error as (file, line, column, reason); it writes nothing (reading.py, with the rule
  book in rules.py). With an institution it acts for that institution only
  (INTERFACES.md 1, "Acting for one institution"; the decision is accounts.policy's).
- `plan(result)` compares the valid rows with the database: what would be created,
  updated or left unchanged (the dry run and the preview stop here).
- `apply(result, ...)` writes everything in one transaction, set-based (writing.py),
  so 100,000 students take seconds, not a query each.

The page validates an upload once and keeps the outcome on the batch (batches.py): the
preview only reads it (preview.py), and confirming re-checks the kept rows against the
database instead of reading the files again.

Error reasons never contain a value from the file: they name the row and the column,
so the BSN cannot leak through them.
"""

from .batches import (
    BatchClosed,
    Outcome,
    batch_apply,
    batch_create,
    batch_discard,
    batch_files,
    batch_prepare,
    coordinator_membership,
    kept_issues,
    remove_expired_batches,
)
from .preview import shown_entries
from .reading import ImportResult, ParsedFile, load_context, validate
from .rules import KINDS, REASONS, SPECS, Issue
from .writing import FilePlan, ImportConflict, Plan, apply, plan

__all__ = [
    "KINDS",
    "REASONS",
    "SPECS",
    "BatchClosed",
    "FilePlan",
    "ImportConflict",
    "ImportResult",
    "Issue",
    "Outcome",
    "ParsedFile",
    "Plan",
    "apply",
    "batch_apply",
    "batch_create",
    "batch_discard",
    "batch_files",
    "batch_prepare",
    "coordinator_membership",
    "kept_issues",
    "load_context",
    "plan",
    "remove_expired_batches",
    "shown_entries",
    "validate",
]
