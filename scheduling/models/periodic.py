from django.db import models


class PeriodicTurn(models.Model):
    """One periodic job's turn for one connection or tenant (or for everyone: `key` ""):
    when it is next due and when its task was queued and last finished. Whoever queues a
    turn first moves `next_at` on, in the same transaction, so two periodic runners never
    queue one turn twice (scheduling/periodic.py)."""

    job = models.CharField(max_length=64)
    key = models.CharField(max_length=64, blank=True)
    next_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "key"], name="one_turn_per_job_and_key")
        ]
        indexes = [models.Index(fields=["job", "next_at"])]

    def __str__(self):
        return f"{self.job} ({self.key or 'everyone'}), next at {self.next_at:%H:%M:%S}"
