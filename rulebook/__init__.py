"""The rule book of Koers, below every app: one source of truth for MONITORING.md.

    vocabulary.py   every value a rule compares with (levels, end reasons, qualification
                    types, advice, perspectives, signal kinds, assignees, end reasons of
                    monitoring); the apps' TextChoices are checked against it
    settings.py     RuleSettings: every number, with dates of effect (the upper age), read
                    from the Django settings in one place
    dates.py        month arithmetic, birthdays, ages, dated values
    rules.py        every rule once, as a predicate over plain facts (StudentFacts, ...)
    expressions.py  beside a rule that a set-based engine needs, its query expression
                    (Q, annotations, SQL fragments), built from the same constants

Pure Python plus Django's query expressions: it imports no app and no model, and every
app may import it (import-linter: the rule book sits beside `accounts` at the bottom).
"""
