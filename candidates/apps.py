from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = "Candidates"

    def ready(self):
        from scheduling.signals import connection_connected

        from .sync import on_connection_connected

        connection_connected.connect(on_connection_connected, dispatch_uid="candidates.sync")

        from scheduling import periodic

        from . import changes, links, pipeline, sync  # noqa: F401  (they register handlers)

        periodic.register("sync ATS", 300, sync.sync_all)
        periodic.register("booking link reminders", 600, links.send_reminders)

        from django.db.models.signals import post_save

        from scheduling.models import Interview

        # Cached weeks of times on booking pages end when any interview changes.
        post_save.connect(links.bump_holds_version, sender=Interview, dispatch_uid="links")
