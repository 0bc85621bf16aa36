import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from scheduling import booking, feedback, training
from scheduling.models import Interview, SessionAttendee, Trainee


class Command(BaseCommand):
    help = (
        "Demo only (DEBUG): move a booked interview so that it ended a few minutes ago — its "
        "calendar events and ATS interviews follow through the outbox — and ask its "
        "interviewers for feedback at once, and counts it toward its trainees' training. Prints "
        "each interviewer's feedback link and where each trainee stands. With --trainee: the "
        "trainee's next interview (run it again for the one after)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interview", help="the interview's id (default: the latest booked one)"
        )
        parser.add_argument(
            "--ended-minutes-ago", type=int, default=5, help="how long ago it ends (default 5)"
        )
        parser.add_argument(
            "--trainee",
            help="a trainee's name or email: move their next interview (a training seat) "
            "instead of the latest booked one",
        )

    def handle(self, *args, interview, ended_minutes_ago, trainee, **options):
        if not settings.DEBUG:
            raise CommandError("This rewrites an interview's times: it is for the demo only.")
        target = self._trainees_next(trainee) if trainee else self._chosen(interview)
        now = timezone.now()
        ended = (now - dt.timedelta(minutes=ended_minutes_ago)).replace(second=0, microsecond=0)
        # A trainee's interviews are moved one after another: each earlier than the last
        # while one of its people already sits in another interview then.
        if trainee:
            ended = _free_end(target, ended)
        try:
            move(target, ended - target.end_at)
        except booking.SlotTaken as exc:
            raise CommandError(
                "Moving it would double-book one of its interviewers at that earlier "
                "time. Try another --ended-minutes-ago."
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
        # What the periodic job "training progress" does within a minute, at once.
        training.recount_interview(target)
        trainees = Trainee.objects.filter(
            seats__session__interview=target, seats__role__in=training.TRAINEE_ROLES
        ).select_related("program", "interviewer")
        for person in trainees.distinct():
            line = training.progress(person).line
            self.stdout.write(f"Training: {person.interviewer.name} ({person.program}): {line}")

    def _chosen(self, interview):
        chosen = Interview.objects.active()
        chosen = chosen.filter(pk=interview) if interview else chosen.order_by("-created_at")
        target = chosen.select_related("application__candidate").first()
        if target is None:
            raise CommandError(
                "No booked interview found: book one from the pipeline first"
                + (f" (no active interview {interview})." if interview else ".")
            )
        return target

    def _trainees_next(self, who):
        seats = SessionAttendee.objects.filter(
            active=True,
            role__in=training.TRAINEE_ROLES,
            training__isnull=False,
            session__interview__status=Interview.Status.SCHEDULED,
            session__interview__end_at__gt=timezone.now(),
        ).filter(Q(interviewer__email__iexact=who) | Q(interviewer__name__icontains=who))
        seat = (
            seats.select_related("session__interview__application__candidate")
            .order_by("session__interview__start_at")
            .first()
        )
        if seat is None:
            raise CommandError(
                f"No upcoming interview seats a trainee matching “{who}”: book one with a plan "
                "whose pool names their training program first."
            )
        return seat.session.interview


def _free_end(interview, end):
    """The latest end at or before `end` (in steps of 30 minutes, a day at most) at which
    none of the interview's people sits in another interview."""
    length = interview.end_at - interview.start_at
    people = SessionAttendee.objects.filter(session__interview=interview, active=True)
    ids = list(people.values_list("interviewer_id", flat=True))
    for _step in range(48):
        busy = (
            SessionAttendee.objects.filter(
                interviewer__in=ids,
                active=True,
                session__interview__status=Interview.Status.SCHEDULED,
                start_at__lt=end,
                end_at__gt=end - length,
            )
            .exclude(session__interview=interview)
            .exists()
        )
        if not busy:
            return end
        end -= dt.timedelta(minutes=30)
    return end


def move(interview, shift):
    """Shift every session of the interview by `shift`: the calendar and ATS follow through
    the outbox, as for any change, and nobody is told (booking.change, by the demo)."""
    moves = [
        booking.Move(s, s.start_at + shift, s.end_at + shift) for s in interview.sessions.all()
    ]
    return booking.change(interview, moves, by=booking.By.DEMO, actor_label="Demo").interview
