from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Candidates"

    def ready(self):
        from scheduling.signals import (
            ats_interviews_changed,
            calendar_events_changed,
            connection_connected,
        )

        from . import changes
        from .sync import on_connection_connected

        connection_connected.connect(on_connection_connected, dispatch_uid="candidates.sync")
        # The mirror follows ATS interviews and their calendar events as they change.
        calendar_events_changed.connect(changes.calendar_events_changed, dispatch_uid="mirror")
        ats_interviews_changed.connect(changes.ats_interviews_changed, dispatch_uid="mirror")

        from scheduling import periodic
        from scheduling.models import Tenant

        # Each registers: links its senders, pipeline the ATS's stages for the plans.
        from . import autopilot, links, pipeline, sync  # noqa: F401  (changes: webhooks)

        periodic.register("sync ATS", 300, sync.sync_turn, per=sync.ats_connections)
        periodic.register(
            "booking link reminders",
            600,
            links.send_reminders,
            per=lambda: Tenant.objects.order_by("pk"),
        )
        # Autopilot sends what became due (after the delay, within the candidate's hours).
        periodic.register(
            "autopilot", 60, autopilot.run_due, per=lambda: Tenant.objects.order_by("pk")
        )

        from scheduling.signals import interview_booked, interview_canceled

        from . import autopilot_follow, availability

        # Autopilot follows what its links and requests lead to (candidates.autopilot_follow).
        periodic.register(
            "autopilot follow-through",
            600,
            autopilot_follow.follow_up,
            per=lambda: Tenant.objects.order_by("pk"),
        )
        interview_booked.connect(autopilot_follow.interview_booked, dispatch_uid="autopilot")
        interview_canceled.connect(autopilot_follow.interview_canceled, dispatch_uid="autopilot")
        availability.times_received.connect(
            autopilot_follow.times_received, dispatch_uid="autopilot"
        )

        from django.db.models.signals import post_save

        from scheduling.models import Interview

        # Cached weeks of times on booking pages end when any interview changes.
        post_save.connect(links.bump_holds_version, sender=Interview, dispatch_uid="links")
