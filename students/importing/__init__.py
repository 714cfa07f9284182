"""The administration import (INTERFACES.md section 1): students, enrolments,
qualifications and employment from CSV files exported by the school administration.

Three steps, shared by `manage.py import_admin` and the coordinators' import page:

- `validate(files, ...)` reads every file and collects *every* error as
  (file, line, column, reason); it writes nothing (reading.py, with the rule book in
  rules.py).
- `plan(result)` compares the valid rows with the database: what would be created,
  updated or left unchanged (the dry run and the preview stop here).
- `apply(result, ...)` writes everything in one transaction, set-based (writing.py),
  so 100,000 students take seconds, not a query each.

Error reasons never contain a value from the file: they name the row and the column,
so the BSN cannot leak through them.
"""

from .batches import (
    BatchClosed,
    batch_apply,
    batch_create,
    batch_discard,
    batch_files,
    batch_validate,
    coordinator_membership,
    remove_expired_batches,
)
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
    "ParsedFile",
    "Plan",
    "apply",
    "batch_apply",
    "batch_create",
    "batch_discard",
    "batch_files",
    "batch_validate",
    "coordinator_membership",
    "load_context",
    "plan",
    "remove_expired_batches",
    "validate",
]
