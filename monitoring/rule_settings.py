"""The rule book's settings live in rulebook.settings; this name stays for old imports."""

from rulebook.settings import DEFAULT_UPPER_AGE, RuleSettings  # noqa: F401
