"""Templates ask the access policy by a predicate's name, never by a role's code:
`{% load policy_tags %}{% if user|policy:"sees_only_shared_sections" %}`."""

from django import template

from accounts import policy as access_policy

register = template.Library()


@register.filter
def policy(who, predicate):
    """The named predicate of accounts.policy for `who` (a user or a membership)."""
    decide = getattr(access_policy, predicate, None)
    if not callable(decide) or predicate.startswith("_"):
        raise template.TemplateSyntaxError(f"accounts.policy has no predicate {predicate!r}")
    return bool(decide(who))
