"""The start-page panel of this app: the headline figures of the coordinator's reports."""

from accounts.policy import sees_headline_figures

from .headline import with_changes
from .scope import scope_for


def home_figures_panel(request):
    if not sees_headline_figures(request.user):
        return None
    scope = scope_for(request.user, {})
    items, computed_at, compared = with_changes(scope)
    return {
        "template": "reports/_home_figures.html",
        "context": {
            "scope": scope,
            "items": items,
            "computed_at": computed_at,
            "compared": compared,
        },
    }
