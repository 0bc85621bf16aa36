from django.db import models

from .connections import Interviewer
from .tenancy import Tenant


class AtsSeat(models.Model):
    """One interviewer in one interview the ATS holds (the mirror's RemoteInterview),
    whichever tool booked it: named by the ATS (its `user_ids`, HRIS employee ids), or an
    attendee of the calendar event the ATS interview points to (`external_event_xref`).

    The mirror (candidates.sync) writes these; `scheduling.load` counts them. Convene's own
    interviews are in the ATS too: load leaves out the seats of an ATS interview Convene
    wrote (same ATS interview id, or same event), so each interview counts once.
    """

    class Via(models.TextChoices):
        ATS = "ats", "Named in the ATS"
        CALENDAR = "calendar", "On its calendar event"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    remote_interview = models.ForeignKey(
        "candidates.RemoteInterview", on_delete=models.CASCADE, related_name="seats"
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, related_name="ats_seats"
    )
    # When the person is there: the event's times when Convene could read the event (the
    # calendar is where people go), else the ATS interview's.
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=Via.choices)
    # The ATS interview's id and its event's, copied so that load can tell Convene's own
    # interviews apart without a join.
    ats_interview_id = models.CharField(max_length=128)
    event_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["start_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["remote_interview", "interviewer"], name="one_ats_seat_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["interviewer", "start_at"]),
            # The reports read who and when from the index alone.
            models.Index(fields=["tenant", "start_at", "interviewer", "remote_interview"]),
            models.Index(fields=["ats_interview_id"]),
            models.Index(fields=["event_id"]),
        ]

    def __str__(self):
        return f"{self.interviewer} in ATS interview {self.ats_interview_id}"
