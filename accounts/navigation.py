"""The main menu is composed of items that each app registers in AppConfig.ready(), so
`accounts` (and the base template) never import the apps above them."""

from django.urls import reverse

_items = {}


def register_nav_item(*, key, order, label, url_name, roles, app_name=None, when=None):
    """Show `label` linking to `url_name` to users whose active role is in `roles` (and,
    with `when`, for whom when(user) holds: a page that would be a 404 is no menu item)."""
    _items[key] = {
        "order": order,
        "label": label,
        "url_name": url_name,
        "roles": frozenset(roles),
        "app_name": app_name or url_name.split(":")[0],
        "when": when,
    }


def navigation(request):
    """Context processor: the menu items for the user's active role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = user.role
    current_app = getattr(getattr(request, "resolver_match", None), "app_name", None)
    items = [
        {
            "label": item["label"],
            "url": reverse(item["url_name"]),
            "active": current_app == item["app_name"],
        }
        for item in sorted(_items.values(), key=lambda item: item["order"])
        if role in item["roles"] and (item["when"] is None or item["when"](user))
    ]
    return {"nav_items": items}
