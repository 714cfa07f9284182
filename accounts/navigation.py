"""The main menu is composed of items that each app registers in AppConfig.ready(), so
`accounts` (and the base template) never import the apps above them."""

from django.urls import reverse

from .registry import Registry

nav_registry = Registry("menu")


def register_nav_item(*, key, order, label, url_name, roles, app_name=None, views=None, when=None):
    """Show `label` linking to `url_name` to users whose active role is in `roles` (and,
    with `when`, for whom when(user) holds: a page that would be a 404 is no menu item).

    The item is marked current on every page of `app_name` (the URL's namespace), or,
    when `views` is given, on those URL names only (two items of one app)."""
    item = {
        "label": label,
        "url_name": url_name,
        "roles": frozenset(roles),
        "app_name": app_name or url_name.split(":")[0],
        "views": frozenset(views or ()),
        "when": when,
    }
    nav_registry.add(item, order=order, key=key)


def navigation(request):
    """Context processor: the menu items for the user's active role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = user.role
    match = getattr(request, "resolver_match", None)
    current_app = getattr(match, "app_name", None)
    current_view = getattr(match, "view_name", None)
    items = [
        {
            "label": item["label"],
            "url": reverse(item["url_name"]),
            "active": current_view in item["views"]
            if item["views"]
            else current_app == item["app_name"],
        }
        for item in nav_registry
        if role in item["roles"] and (item["when"] is None or item["when"](user))
    ]
    return {"nav_items": items}
