"""The reference data of REFERENCE_DATA.md, present after `migrate`.

A data migration calls `load()` with the historical app registry; it only adds what is
missing, so functional administrators' later edits are kept.
"""

REGIONS = {
    "Noord-Holland Noord": {
        "Noord-Kennemerland": [
            ("Alkmaar", "Check-In en Doorstroompunt"),
            ("Bergen (NH)", "Check-In en Doorstroompunt"),
            ("Castricum", "Check-In en Doorstroompunt"),
            ("Dijk en Waard", "Check-In en Doorstroompunt"),
            ("Heiloo", "Check-In en Doorstroompunt"),
        ],
        "West-Friesland": [
            (name, "Jongerenstartpunt")
            for name in (
                "Drechterland",
                "Enkhuizen",
                "Hoorn",
                "Koggenland",
                "Medemblik",
                "Opmeer",
                "Stede Broec",
            )
        ],
        "Kop van Noord-Holland": [
            ("Den Helder", "Jongerenpunt"),
            ("Texel", ""),
            ("Schagen", ""),
            ("Hollands Kroon", ""),
        ],
    },
    "Haaglanden": {
        None: [
            ("'s-Gravenhage", ""),
            ("Delft", ""),
            ("Leidschendam-Voorburg", ""),
            ("Midden-Delfland", ""),
            ("Pijnacker-Nootdorp", ""),
            ("Rijswijk", ""),
            ("Wassenaar", ""),
            ("Westland", ""),
            ("Zoetermeer", ""),
        ],
    },
}

ALIASES = {"'s-Gravenhage": "Den Haag"}

SCHOOLS = [
    ("Horizon College", "Noord-Holland Noord", ["Alkmaar", "Hoorn", "Heerhugowaard", "Purmerend"]),
    ("Clusius College", "Noord-Holland Noord", ["Alkmaar", "Hoorn", "Schagen"]),
    ("ROC Kop van Noord-Holland", "Noord-Holland Noord", ["Den Helder", "Schagen"]),
    ("ROC Mondriaan", "Haaglanden", ["Den Haag", "Delft", "Naaldwijk"]),
    ("mboRijnland", "Haaglanden", ["Zoetermeer", "Leiden"]),
]

# (kind, name, region, subregion)
PARTNERS = [
    ("leerplicht", "Regionaal Bureau Leerplicht Noord-Holland Noord", "Noord-Holland Noord", None),
    ("leerplicht", "Leerplicht Haaglanden", "Haaglanden", None),
    ("doorstroompunt", "Doorstroompunt Noord-Holland Noord", "Noord-Holland Noord", None),
    ("doorstroompunt", "Doorstroompunt Haaglanden", "Haaglanden", None),
    ("wi", "Werk en Inkomen Noord-Holland Noord", "Noord-Holland Noord", None),
    ("wi", "Werk en Inkomen Haaglanden", "Haaglanden", None),
    (
        "jongeren_startpunt",
        "Check-In en Doorstroompunt",
        "Noord-Holland Noord",
        "Noord-Kennemerland",
    ),
    ("jongeren_startpunt", "Jongerenstartpunt", "Noord-Holland Noord", "West-Friesland"),
    ("jongeren_startpunt", "Jongerenpunt", "Noord-Holland Noord", "Kop van Noord-Holland"),
    ("region", "Regio Noord-Holland Noord", "Noord-Holland Noord", None),
    ("region", "Regio Haaglanden", "Haaglanden", None),
    ("platform", "Koers functioneel beheer", None, None),
]


def load(apps):
    Region = apps.get_model("accounts", "Region")
    SubRegion = apps.get_model("accounts", "SubRegion")
    Municipality = apps.get_model("accounts", "Municipality")
    Organisation = apps.get_model("accounts", "Organisation")
    Location = apps.get_model("accounts", "Location")

    regions, subregions = {}, {}
    for region_name, groups in REGIONS.items():
        region, _ = Region.objects.get_or_create(name=region_name)
        regions[region_name] = region
        for sub_name, municipalities in groups.items():
            sub = None
            if sub_name:
                sub, _ = SubRegion.objects.get_or_create(name=sub_name, defaults={"region": region})
                subregions[sub_name] = sub
            for name, startpunt in municipalities:
                Municipality.objects.get_or_create(
                    name=name,
                    defaults={
                        "region": region,
                        "subregion": sub,
                        "startpunt_name": startpunt,
                        "aliases": ALIASES.get(name, ""),
                    },
                )

    for name, region_name, locations in SCHOOLS:
        school, _ = Organisation.objects.get_or_create(
            name=name, kind="school", defaults={"region": regions[region_name]}
        )
        for location in locations:
            Location.objects.get_or_create(school=school, name=location)

    for kind, name, region_name, sub_name in PARTNERS:
        Organisation.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={
                "region": regions.get(region_name),
                "subregion": subregions.get(sub_name),
            },
        )
