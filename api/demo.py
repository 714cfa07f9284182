"""Demo clients: one per demo organisation whose role a system may hold (seed_demo).

Their secrets are as public as the demo password and printed by
`seed_demo --accounts-only`: demo servers only."""

from accounts.models import Organisation, Role

from .models import Scope

# (client id, organisation, role): a school acts as its coordinator.
DEMO_CLIENTS = [
    ("demo-horizon", "Horizon College", Role.SCHOOL_COORDINATOR),
    ("demo-clusius", "Clusius College", Role.SCHOOL_COORDINATOR),
    ("demo-mondriaan", "ROC Mondriaan", Role.SCHOOL_COORDINATOR),
    ("demo-leerplicht-nhn", None, Role.LEERPLICHT),
    ("demo-leerplicht-haaglanden", "Leerplicht Haaglanden", Role.LEERPLICHT),
    ("demo-dsp-nhn", "Doorstroompunt Noord-Holland Noord", Role.DOORSTROOMPUNT),
    ("demo-dsp-haaglanden", "Doorstroompunt Haaglanden", Role.DOORSTROOMPUNT),
    ("demo-startpunt", None, Role.JONGEREN_STARTPUNT),
    ("demo-wi-nhn", None, Role.WI),
    ("demo-zorg-nhn", None, Role.CARE),
]


def demo_secret(client_id):
    return f"{client_id}-geheim"


def demo_scopes(role):
    scopes = [scope for scope in Scope.values if scope != Scope.ADMINISTRATION_WRITE]
    if role == Role.SCHOOL_COORDINATOR:
        scopes.append(Scope.ADMINISTRATION_WRITE)
    return sorted(scopes)


def _organisation(name, role):
    from accounts.demo import DEMO_ACCOUNTS

    if name is None:
        name = next(account.organisation for account in DEMO_ACCOUNTS if account.role == role)
    return Organisation.objects.filter(name=name).first()


def seed_api_clients(ctx):
    from .models import ApiClient
    from .services import api_client_register

    created = 0
    for client_id, name, role in DEMO_CLIENTS:
        if ApiClient.objects.filter(application__client_id=client_id).exists():
            continue
        organisation = _organisation(name, role)
        if organisation is None:
            continue
        api_client_register(
            name=f"Demo-systeem {organisation.name}",
            organisation=organisation,
            role=role,
            scopes=demo_scopes(role),
            client_id=client_id,
            client_secret=demo_secret(client_id),
        )
        created += 1
    ctx.log(f"api clients: {created} created")


def print_clients(stdout):
    stdout.write("")
    stdout.write("Demo API clients (OAuth 2 client credentials at /api/v1/oauth/token):")
    for client_id, name, role in DEMO_CLIENTS:
        label = name or Role(role).label
        stdout.write(f"  {client_id:<28} {demo_secret(client_id):<36} {label}")
