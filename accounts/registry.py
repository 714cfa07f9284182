"""The one shape of every registry in Koers: what the apps contribute in
AppConfig.ready() to something a lower app composes (start-page panels, the menu, the
student page's sections, scopes, retention hooks, demo seeders, the sweep's checks).

Entries are keyed: registering a key again replaces its entry instead of adding a second
one (ready() may run more than once, in tests for example), so a panel never shows twice.
Entries come out sorted by (order, key), the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def key_of(value: Any) -> str:
    """The default key of a contribution: a function's dotted name."""
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if module and name:
        return f"{module}.{name}"
    return repr(value)


class Registry:
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, tuple[int, Any]] = {}

    def add(self, value: Any, *, order: int = 0, key: str | None = None) -> Any:
        """Add (or replace) `value` under `key` (default: its dotted name). Returns it, so
        the method also serves as a decorator body."""
        self._entries[key or key_of(value)] = (order, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The value registered under `key`, or `default`."""
        entry = self._entries.get(key)
        return default if entry is None else entry[1]

    def require(self, key: str) -> Any:
        """The value under `key`; a LookupError naming this registry if none was added
        (an app that should register it in its AppConfig.ready() did not)."""
        if key not in self:
            raise LookupError(f"nothing registered as {key!r} in {self.name}")
        return self.get(key)

    def remove(self, key: str) -> None:
        self._entries.pop(key, None)

    def items(self) -> list[tuple[str, Any]]:
        """(key, value) in composed order: by order, then key."""
        ordered = sorted(self._entries.items(), key=lambda entry: (entry[1][0], entry[0]))
        return [(key, value) for key, (_order, value) in ordered]

    def keys(self) -> list[str]:
        return [key for key, _value in self.items()]

    def values(self) -> list[Any]:
        return [value for _key, value in self.items()]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


Provider = Callable[..., Any]
