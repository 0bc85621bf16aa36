from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        # Importing registers: the system checks, the outbox's handlers and senders
        # (writeback, feedback), the webhook handlers for calendars and ATS interviews.
        from . import checks, connections, feedback, outbox, periodic, webhooks, writeback  # noqa: F401

        periodic.register("outbox sweep", 5, outbox.sweep_job)
        periodic.register("feedback requests and reminders", 60, feedback.run_due)
        periodic.register("register webhooks", 3600, connections.register_all)
        periodic.register("reconcile", 120, lambda: webhooks.reconcile() or None)
