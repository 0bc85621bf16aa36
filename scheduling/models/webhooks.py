import uuid

from django.db import models

from .connections import Connection
from .tenancy import Tenant


class WebhookDelivery(models.Model):
    """A verified delivery from Unified, stored as received and processed by a task.

    Only deliveries whose signature checked out are stored; `dedupe_key` (from the signed
    nonce alone) makes the same delivery arriving twice a no-op, however it is re-encoded.
    The table is also the queue of work: a drain claims RECEIVED rows (webhooks.py).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    dedupe_key = models.CharField(max_length=64, unique=True)
    object_type = models.CharField(max_length=64)
    event = models.CharField(max_length=16)
    delivery_type = models.CharField(max_length=32, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When a worker took it (a claim this old belongs to a worker that died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # What Convene did about it, in a line or two (also in the audit log).
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return f"{self.object_type}.{self.event} ({self.get_status_display()})"


class WebhookRejection(models.Model):
    """How many deliveries were refused, per day and reason: nothing else of them is kept."""

    day = models.DateField()
    reason = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="one_counter_per_day_reason")
        ]

    def __str__(self):
        return f"{self.day}: {self.count} × {self.reason}"
