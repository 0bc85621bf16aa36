import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"“{value}” is not a known time zone (use a name like Europe/Berlin)."
        )


class User(AbstractUser):
    """A person who signs in. Convene uses the email address as the username."""

    def __str__(self):
        return self.get_full_name() or self.email or self.username


class Tenant(models.Model):
    """One customer company: everything it owns points here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    default_timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        RECRUITER = "recruiter", "Recruiter"
        INTERVIEWER = "interviewer", "Interviewer"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant__name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self):
        return f"{self.user} – {self.tenant} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN

    @property
    def can_schedule(self):
        """Admins and recruiters run the pipeline; interviewers only give feedback."""
        return self.role in (self.Role.ADMIN, self.Role.RECRUITER)
