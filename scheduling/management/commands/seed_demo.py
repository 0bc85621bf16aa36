from django.core.management.base import BaseCommand
from django.db import transaction

from scheduling.models import Membership, Tenant, User

DEMO_PASSWORD = "convene-demo"

# (email, first name, last name, role per tenant slug)
DEMO_PEOPLE = [
    ("admin@acme.example", "Ada", "Admin", {"acme": "admin"}),
    ("recruiter@acme.example", "Rosa", "Recruiter", {"acme": "recruiter", "globex": "recruiter"}),
    ("interviewer@acme.example", "Ian", "Interviewer", {"acme": "interviewer"}),
    ("admin@globex.example", "Gus", "Globex", {"globex": "admin"}),
]
DEMO_TENANTS = [
    ("acme", "Acme Robotics", "America/New_York"),
    ("globex", "Globex Labs", "Europe/London"),
]
STAFF = ("staff@convene.example", "Sam", "Staff")


def demo_sign_ins():
    lines = []
    for email, _first, _last, roles in DEMO_PEOPLE:
        what = ", ".join(f"{role} at {slug}" for slug, role in roles.items())
        lines.append(f"  {email:<28} password {DEMO_PASSWORD}   {what}")
    lines.append(f"  {STAFF[0]:<28} password {DEMO_PASSWORD}   Django admin (/admin/)")
    return lines


class Command(BaseCommand):
    help = "Create the demo teams and sign-ins. Idempotent: a second run changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        tenants = {}
        for slug, name, zone in DEMO_TENANTS:
            tenants[slug], _ = Tenant.objects.get_or_create(
                slug=slug, defaults={"name": name, "default_timezone": zone}
            )
        for email, first, last, roles in DEMO_PEOPLE:
            user = self._user(email, first, last)
            for slug, role in roles.items():
                Membership.objects.get_or_create(
                    user=user, tenant=tenants[slug], defaults={"role": role}
                )
        staff = self._user(*STAFF)
        if not staff.is_superuser:
            staff.is_staff = staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write("Demo data ready. Sign in with:")
        for line in demo_sign_ins():
            self.stdout.write(line)

    def _user(self, email, first, last):
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
