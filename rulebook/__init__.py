"""The rule book: the vocabulary, settings and rules of MONITORING.md below every app.

Placeholder so the layers contract (pyproject.toml, [tool.importlinter]) finds the package;
the rule book's own version replaces this file at merge.
"""
