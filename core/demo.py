"""The demo personas of DEVELOPERS.md. Later apps add their own demo data for these users."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Role, User


@dataclass(frozen=True, slots=True)
class Persona:
    email: str
    full_name: str
    display_name: str
    role: Role


PERSONAS = (
    Persona("melina@example.org", "Melina & Jonas F.", "", Role.CUSTOMER),
    Persona("hildegard@example.org", "Hildegard M.", "", Role.CUSTOMER),
    Persona("anna@stadtwerk.example", "Anna K.", "Anna", Role.AGENT),
    Persona("klaus@stadtwerk.example", "Klaus B.", "Klaus", Role.SALES),
    Persona("admin@stadtwerk.example", "Administration", "Admin", Role.ADMIN),
)


def seed_users(*, password: str) -> list[User]:
    """Create or update the persona users with the given password."""
    users = []
    for persona in PERSONAS:
        user, _created = User.objects.update_or_create(
            email=persona.email,
            defaults={
                "full_name": persona.full_name,
                "display_name": persona.display_name,
                "role": persona.role,
                "is_staff": persona.role == Role.ADMIN,
                "is_superuser": persona.role == Role.ADMIN,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users.append(user)
    return users
