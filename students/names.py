"""Dutch names for lists and search: pure functions, no database.

One normalising function serves both the stored columns (`Student.sort_name`,
`Student.search_name`, filled by the service that saves students and by the import)
and the search text, so "sahin" finds "Şahin" on PostgreSQL and SQLite alike and with
the same index-friendly `LIKE`.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {
        "ı": "i",
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ĳ": "ij",
        "Ĳ": "ij",
        "’": "'",
        "‘": "'",
        "`": "'",
    }
)
_SPACES = re.compile(r"\s+")

# The words a Dutch surname may start with that are not sorted on (tussenvoegsels),
# the longest combinations first.
TUSSENVOEGSELS = sorted(
    {
        "van der",
        "van den",
        "van de",
        "van 't",
        "van het",
        "van",
        "de",
        "den",
        "der",
        "het",
        "'t",
        "te",
        "ten",
        "ter",
        "in 't",
        "in de",
        "in het",
        "op de",
        "op den",
        "op 't",
        "uit den",
        "uit de",
        "uijt de",
        "la",
        "le",
        "d'",
        "el",
        "al",
    },
    key=lambda prefix: (-len(prefix), prefix),
)


def normalise(text: str) -> str:
    """Lower case without accents, single spaces: 'Şahin  Öztürk' -> 'sahin ozturk'."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _SPACES.sub(" ", text.translate(_FOLD).casefold()).strip()


def split_surname(last_name: str) -> tuple[str, str]:
    """(tussenvoegsel, surname): 'van der Berg' -> ('van der', 'Berg').

    A name that is nothing but a tussenvoegsel ('Van') keeps it as the surname."""
    name = _SPACES.sub(" ", (last_name or "").strip())
    lowered = name.lower()
    for prefix in TUSSENVOEGSELS:
        glued = prefix.endswith("'")
        if lowered.startswith(prefix if glued else prefix + " ") and len(name) > len(prefix) + 1:
            return name[: len(prefix)], name[len(prefix) :].strip()
    return "", name


def sort_name(first_name: str, last_name: str) -> str:
    """The key a list sorts a person on: surname without tussenvoegsel, then the
    tussenvoegsel, then the first name ('de Boer', 'Jan' -> 'boer, de, jan')."""
    prefix, surname = split_surname(last_name)
    return ", ".join([normalise(surname), normalise(prefix), normalise(first_name)])[:300]


def search_name(first_name: str, last_name: str) -> str:
    """What a name search matches against: first and last name, normalised."""
    return normalise(f"{first_name} {last_name}")[:300]


def display_sort_name(first_name: str, last_name: str) -> str:
    """'Boer, Jan de': how a list sorted on surname shows the name."""
    prefix, surname = split_surname(last_name)
    return f"{surname}, {first_name}{' ' + prefix if prefix else ''}"
