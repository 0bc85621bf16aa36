from django.core.management.base import BaseCommand
from django.db import transaction

from scheduling.models import (
    Interviewer,
    InterviewPlan,
    Membership,
    PlanPool,
    PlanSession,
    Tenant,
    Trainee,
    TrainingEvent,
    TrainingProgram,
    User,
)

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
# Acme's training program, its trainee (the demo's interviewer) and the plan whose pool seats
# them: the trainee and the pool's members are the sandbox's Acme employees, there once the
# ATS is connected (a run before that makes the program only; `make run` runs this again).
DEMO_PROGRAM = "Coding interview"
DEMO_TRAINEE = "interviewer@acme.example"
DEMO_MEMBERS = ("Daniel Okafor", "Marcus Johnson", "Priya Natarajan")
DEMO_PLAN = "Coding interview, with a trainee"


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
        self._training(tenants["acme"])
        staff = self._user(*STAFF)
        if not staff.is_superuser:
            staff.is_staff = staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write("Demo data ready. Sign in with:")
        for line in demo_sign_ins():
            self.stdout.write(line)

    def _training(self, tenant):
        """The "Coding interview" program (shadow ×2, then reverse shadow ×1), Ian enrolled
        in it, and a plan for first interviews whose pool seats its trainees."""
        program, _ = TrainingProgram.objects.get_or_create(
            tenant=tenant,
            name=DEMO_PROGRAM,
            defaults={"shadow_count": 2, "reverse_shadow_count": 1},
        )
        ian = Interviewer.objects.filter(tenant=tenant, email__iexact=DEMO_TRAINEE).first()
        members = list(Interviewer.objects.filter(tenant=tenant, name__in=DEMO_MEMBERS))
        if ian is None or not members:
            self.stdout.write(
                f"Training: “{DEMO_PROGRAM}” is ready; connect Acme's ATS and run this again "
                "(make run does) to enroll Ian Interviewer and make its plan."
            )
            return
        trainee, enrolled = Trainee.objects.get_or_create(
            tenant=tenant, program=program, interviewer=ian
        )
        if enrolled:
            TrainingEvent.objects.create(
                trainee=trainee,
                kind=TrainingEvent.Kind.ENROLLED,
                text=f"Enrolled in “{program}” at the shadow stage (the demo).",
            )
        if not PlanPool.objects.filter(program=program).exists():
            plan = InterviewPlan.objects.filter(tenant=tenant, name=DEMO_PLAN).first()
            taken = InterviewPlan.objects.filter(
                tenant=tenant, job=None, stage_status="FIRST_INTERVIEW", stage_name=""
            ).exclude(name=DEMO_PLAN)
            if plan is None and taken.exists():
                self.stdout.write(
                    f"Training: Ian is a trainee in “{program}”; first interviews have a plan "
                    "of yours already, so no demo plan was made (name the program in a pool)."
                )
                return
            if plan is None:
                plan = InterviewPlan.objects.create(
                    tenant=tenant,
                    name=DEMO_PLAN,
                    stage_status="FIRST_INTERVIEW",
                    agenda="A coding exercise; a trainee from the program sits in.",
                    scorecard_questions=["Problem solving", "Code quality", "Communication"],
                )
            session = plan.sessions.first() or PlanSession.objects.create(
                plan=plan, position=0, title_template="Coding interview", duration_minutes=60
            )
            pool = PlanPool.objects.create(session=session, name="Engineers", k=1, program=program)
            pool.members.set(members)
        self.stdout.write(
            f"Training: {ian.name} is a trainee in “{program}”; the plan “{DEMO_PLAN}” (first "
            "interviews) seats its trainees."
        )

    def _user(self, email, first, last):
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
