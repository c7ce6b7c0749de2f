"""Staff accounts: the demo logins (one per role, a nurse practitioner, the superuser)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.roles import Role
from clinic.staff.choices import RegulatedProfession
from clinic.staff.selectors import staff_profile_of
from clinic.staff.services import staff_create, staff_record_created, staff_set_registration

DEMO_PASSWORD = "clinic-demo-2026"  # noqa: S105 - printed in the README; demo seed only


STAFF = [
    # username, first, last, role, is_staff (admin site), is_superuser
    ("reception", "Rita", "Okafor", Role.RECEPTION, False, False),
    ("practitioner", "Amelia", "Hart", Role.PRACTITIONER, False, False),
    ("manager", "Marcus", "Reid", Role.MANAGER, True, False),
    ("admin", "System", "Administrator", None, True, True),
    ("nurse", "Priya", "Shah", Role.PRACTITIONER, False, False),
]

# Professional registrations (DOMAIN §10 rule 29b): Dr Amelia Hart is a registered medical
# practitioner and treats the demo's children; Priya Shah is a registered nurse, who may
# treat a child only on a doctor's directions. No numbers: invented ones could be real.
REGISTRATIONS = {
    "practitioner": {"registered_medical_practitioner": True},
    "nurse": {
        "registered_medical_practitioner": False,
        "regulated_profession": RegulatedProfession.NURSE,
    },
}


class StaffSeeder:
    """Demo staff accounts and their logins, printed at the end."""

    def ensure_staff(self) -> dict:
        user_model = get_user_model()
        groups = {g.name: g for g in Group.objects.all()}
        staff, created_now = {}, []
        for username, first, last, role, is_staff, is_superuser in STAFF:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                    "email": f"{username}@clinic.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role is not None:
                    user.groups.add(groups[role.value])
                created_now.append(user)
            staff[username] = user
        for user in created_now:  # each shows its "created" row on the staff page (issue 10)
            staff_record_created(created_by=staff["admin"], user=user)
        for username, registration in REGISTRATIONS.items():
            # Also for accounts an earlier seed made before rule 29b.
            profile = staff_profile_of(staff[username])
            if all(getattr(profile, field) == value for field, value in registration.items()):
                continue
            staff_set_registration(changed_by=staff["admin"], user=staff[username], **registration)
        self._a_practitioner_to_confirm(staff)
        return staff

    @staticmethod
    def _a_practitioner_to_confirm(staff) -> None:
        """A new doctor the manager added this morning: the Practitioner role waits for
        Amelia or Priya to confirm it on their home page (a manager's grant of clinical
        authority needs a second person). No password: nobody signs in as them."""
        if get_user_model().objects.filter(username="samir.patel").exists():
            return
        staff_create(
            created_by=staff["manager"],
            username="samir.patel",
            first_name="Samir",
            last_name="Patel",
            role=Role.PRACTITIONER,
            base_url="http://127.0.0.1:8000/",
        )

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _, _ in STAFF:
            label = role.value if role else "superuser"
            self.stdout.write(f"  {username:<13} {first} {last} ({label})")
