"""The main menu is composed of items that each app registers in AppConfig.ready(), so
`accounts` (and the base template) never import the apps above them. The base template
writes no menu item of its own: "Start" and "Beheer" are registered here too
(`register_accounts_items`, from accounts' AppConfig.ready())."""

from django.urls import get_script_prefix, get_urlconf, reverse

from .registry import Registry

nav_registry = Registry("menu")


def register_nav_item(*, key, order, label, url_name, roles, app_name=None, views=None, when=None):
    """Show `label` linking to `url_name` to users whose active role is in `roles` (every
    signed-in user when `roles` is None) and, with `when`, for whom when(user) holds: a
    page that would be a 404 is no menu item.

    The item is marked current on every page of `app_name` (the URL's namespace), or,
    when `views` is given, on those URL names only (two items of one app)."""
    item = {
        "label": label,
        "url_name": url_name,
        "roles": None if roles is None else frozenset(roles),
        "app_name": app_name or url_name.split(":")[0],
        "views": frozenset(views or ()),
        "when": when,
    }
    nav_registry.add(item, order=order, key=key)


# The menu's URLs take no arguments and no language: reversed once per process (and URL
# configuration and script prefix) instead of on every page (issue 16).
_menu_urls: dict = {}


def _menu_url(url_name):
    key = (get_urlconf(), get_script_prefix(), url_name)
    url = _menu_urls.get(key)
    if url is None:
        url = _menu_urls[key] = reverse(url_name)
    return url


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
            "url": _menu_url(item["url_name"]),
            "active": current_view in item["views"]
            if item["views"]
            else current_app == item["app_name"],
        }
        for item in nav_registry
        if (item["roles"] is None or role in item["roles"])
        and (item["when"] is None or item["when"](user))
    ]
    return {"nav_items": items}


def register_accounts_items():
    """The menu items of accounts itself: the start page first, the admin last (staff)."""
    from django.utils.translation import gettext_lazy as _

    register_nav_item(
        key="home", order=0, label=_("Start"), url_name="home", roles=None, views=("home",)
    )
    register_nav_item(
        key="admin",
        order=1000,
        label=_("Beheer"),
        url_name="admin:index",
        roles=None,
        views=("admin:index",),
        when=lambda user: user.is_staff,
    )
