"""The sections a higher app adds to the young person's own copy of their data (AVG
art. 15; portal/copy.py `collect`).

portal, casework and documents are siblings in the top layer and never import each other,
so the registry lives here, below all three: casework and documents register a provider
in their AppConfig.ready(), portal composes them. `provider(student)` returns a list of
sections {"title": str, "rows": [{label: value}]}, each row already stripped of other
people's personal data (staff as role and organisation, never by name). `replaces` names
the models (app_label.model) the provider covers, so the copy's generic walk over the
student's relations leaves them out instead of listing them twice.
"""

from accounts.registry import Registry

copy_section_registry = Registry("copy sections")
_replaced: set[str] = set()


def register_copy_section(key, provider, *, order=50, replaces=()):
    copy_section_registry.add(provider, order=order, key=key)
    _replaced.update(label.lower() for label in replaces)
    return provider


def replaced_models() -> frozenset:
    return frozenset(_replaced)


def copy_sections(student) -> list:
    sections = []
    for provider in copy_section_registry:
        sections += provider(student) or []
    return sections
