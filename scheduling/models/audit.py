from django.conf import settings
from django.db import models

from .tenancy import Tenant


class AuditEntry(models.Model):
    """Who did what, when and why — people and Convene's own automatic actions alike."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # For automatic actions: "Unified webhook", "Reconcile", "Candidate", …
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"]),
            # The reports: changes of one kind over a period.
            models.Index(fields=["tenant", "action", "created_at"]),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return self.message

    @property
    def who(self):
        return str(self.actor) if self.actor_id else (self.actor_label or "Convene")


def audit(tenant, action, message, *, actor=None, actor_label="", obj=None, **data):
    """Record an audit entry; `obj` is any model instance the entry is about."""
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        message=message,
        data=data,
    )
