import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling import booking, feedback
from scheduling.models import Interview


class Command(BaseCommand):
    help = (
        "Demo only (DEBUG): move a booked interview so that it ended a few minutes ago — its "
        "calendar events and ATS interviews follow through the outbox — and ask its "
        "interviewers for feedback at once. Prints each interviewer's feedback link."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interview", help="the interview's id (default: the latest booked one)"
        )
        parser.add_argument(
            "--ended-minutes-ago", type=int, default=5, help="how long ago it ends (default 5)"
        )

    def handle(self, *args, interview, ended_minutes_ago, **options):
        if not settings.DEBUG:
            raise CommandError("This rewrites an interview's times: it is for the demo only.")
        chosen = Interview.objects.active()
        chosen = chosen.filter(pk=interview) if interview else chosen.order_by("-created_at")
        target = chosen.select_related("application__candidate").first()
        if target is None:
            raise CommandError(
                "No booked interview found: book one from the pipeline first"
                + (f" (no active interview {interview})." if interview else ".")
            )
        now = timezone.now()
        ended = (now - dt.timedelta(minutes=ended_minutes_ago)).replace(second=0, microsecond=0)
        shift = ended - target.end_at
        try:
            move(target, shift)
        except booking.SlotTaken as exc:
            raise CommandError(
                "Moving it would double-book one of its interviewers at that earlier time. "
                "Try another --ended-minutes-ago."
            ) from exc
        target.refresh_from_db()
        asked = feedback.request_for(target, now=timezone.now())
        self.stdout.write(
            f"The interview with {target.application.candidate} now ended at "
            f"{timezone.localtime(target.end_at):%Y-%m-%d %H:%M %Z}; "
            f"{len(asked)} feedback request(s) queued (the worker emails them):"
        )
        for item in asked:
            self.stdout.write(f"  {item.interviewer.name:<24} {feedback.url_for(item)}")


def move(interview, shift):
    """Shift every session of the interview by `shift`: the calendar and ATS follow through
    the outbox, as for any change, and nobody is told (booking.change, by the demo)."""
    moves = [
        booking.Move(s, s.start_at + shift, s.end_at + shift) for s in interview.sessions.all()
    ]
    return booking.change(interview, moves, by=booking.By.DEMO, actor_label="Demo").interview
