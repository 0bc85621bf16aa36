import uuid

from django.db import models

from .tenancy import Tenant


class SentEmail(models.Model):
    """Every email Convene sent, as sent: the team's record of what people were told, and
    (with console mail in development) the local outbox page."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="sent_emails"
    )
    kind = models.CharField(max_length=64)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)  # [{"name", "mimetype"}]
    # What it is about, for listing on that object's page.
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
