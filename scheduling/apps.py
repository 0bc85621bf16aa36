from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        # Importing registers: the system checks, the outbox's handlers and senders
        # (writeback, feedback, reminders, the interviewer's notices), the webhook handlers for
        # calendars and ATS interviews.
        from . import (  # noqa: F401
            checks,
            connections,
            debriefs,
            feedback,
            interviewer_home,
            outbox,
            periodic,
            reminders,
            training,
            webhooks,
            writeback,
        )
        from .models import Tenant

        debriefs.connect()
        training.connect()

        def tenants():
            return Tenant.objects.order_by("pk")

        # The sweeps are one cheap query for everyone whose work is to queue tasks (one per
        # operation, a drain of deliveries): the runner does them itself. The other jobs get
        # one task per connection or tenant.
        periodic.register("outbox sweep", 5, outbox.sweep_job, inline=True)
        periodic.register("webhook deliveries sweep", 30, webhooks.sweep, inline=True)
        periodic.register("feedback requests and reminders", 60, feedback.run_due, per=tenants)
        periodic.register("interview reminders", 60, reminders.run_due, per=tenants)
        periodic.register("training progress", 60, training.run_due, per=tenants)
        periodic.register(
            "register webhooks",
            3600,
            connections.register_now,
            per=connections.active_connections,
        )
        periodic.register(
            "reconcile",
            120,
            lambda conn: webhooks.reconcile_connection(conn) and None,
            per=connections.active_connections,
        )
