import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scheduling import feedback, writeback
from scheduling.models import Interview, Operation, SessionAttendee, audit


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
        except IntegrityError as exc:
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


@transaction.atomic
def move(interview, shift):
    """Shift every time of the interview by `shift`, and queue the calendar and ATS updates
    (after any create still under way), as a reschedule would, without telling anyone."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    for session in interview.sessions.all():
        session.start_at += shift
        session.end_at += shift
        session.save(update_fields=["start_at", "end_at"])
        SessionAttendee.objects.filter(session=session, active=True).update(
            start_at=session.start_at, end_at=session.end_at
        )
        for kind, create_kind in (
            (Operation.Kind.UPDATE_EVENT, Operation.Kind.CREATE_EVENT),
            (Operation.Kind.UPDATE_ATS_INTERVIEW, Operation.Kind.CREATE_ATS_INTERVIEW),
        ):
            writeback.add(
                interview.tenant,
                kind,
                interview=interview,
                session=session,
                depends_on=writeback.pending_for(session, create_kind),
            )
    interview.start_at += shift
    interview.end_at += shift
    interview.ics_sequence += 1
    interview.save(update_fields=["start_at", "end_at", "ics_sequence", "updated_at"])
    audit(
        interview.tenant,
        "interview.time_travel",
        "Moved into the past for the demo (manage.py demo_time_travel)",
        actor_label="Demo",
        obj=interview,
    )
    return interview
