from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        from . import checks, periodic, webhooks  # noqa: F401  (checks, jobs, handlers)

        periodic.register("register webhooks", 3600, webhooks.register_all)
        periodic.register("reconcile", 120, lambda: webhooks.reconcile() or None)
