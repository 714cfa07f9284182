"""The monitoring rule book, as monitoring's name for it.

The rules live in the rule book package below every app (`rulebook.rules`, with its
vocabulary, settings and query expressions beside it); monitoring's sweeps, its pages and
the tests read them here as `monitoring.rules` too. Nothing is defined in this module.
"""

from rulebook.rules import *  # noqa: F403
from rulebook.rules import __doc__ as _rules_doc  # noqa: F401
