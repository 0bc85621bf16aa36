"""An interview that has just ended, for the feedback tests: two sessions, a panel of three
interviewers and a trainee, and a plan with two scorecard questions."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from scheduling import booking, outbox, slots
from scheduling.models import Interviewer, InterviewPlan, Operation
from tests import factories as f

QUESTIONS = ["Problem solving", "Communication"]


def past_interview(tenant, *, ats=None, ended_ago=dt.timedelta(minutes=5), app=None):
    """Session "Technical" (Ivy required, Tom from a pool, Tia shadowing) then "Values"
    (Sam), ending `ended_ago` before now. Its outbox operations are left pending."""
    ats = ats or f.connection(tenant)
    people = {
        name.split()[0].lower(): Interviewer.objects.filter(
            tenant=tenant, ats_user_id=f"emp-{name.split()[0].lower()}"
        ).first()
        or f.interviewer(tenant, name, ats_user_id=f"emp-{name.split()[0].lower()}", timezone=zone)
        for name, zone in [
            ("Ivy Chen", "Europe/Berlin"),
            ("Tom Lee", "America/New_York"),
            ("Tia Trainee", "America/New_York"),
            ("Sam Ortiz", "America/Los_Angeles"),
        ]
    }
    app = app or f.application(ats, f.candidate(ats, "Grace Hopper"), f.job(ats, "Backend"))
    plan, _ = InterviewPlan.objects.get_or_create(
        tenant=tenant,
        job=None,
        stage_status="",
        defaults={"name": "Onsite", "scorecard_questions": list(QUESTIONS)},
    )
    end = (timezone.now() - ended_ago).replace(microsecond=0)
    middle, start = end - dt.timedelta(minutes=45), end - dt.timedelta(minutes=105)
    ivy, tom, tia, sam = (people[k] for k in ("ivy", "tom", "tia", "sam"))
    choice = slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Technical",
                start=start,
                end=middle,
                people=(
                    (str(ivy.pk), "required", None),
                    (str(tom.pk), "pool", None),
                    (str(tia.pk), "trainee", None),
                ),
            ),
            slots.SessionChoice(
                title="Values", start=middle, end=end, people=((str(sam.pk), "required", None),)
            ),
        )
    )
    interview = booking.book(app, plan, choice)
    return SimpleNamespace(
        ats=ats, app=app, plan=plan, interview=interview, **people, sessions=session_map(interview)
    )


def session_map(interview):
    return {s.title: s for s in interview.sessions.all()}


def perform_emails():
    """Send every queued email now, as the worker would; returns the operations."""
    ops = Operation.objects.filter(
        kind=Operation.Kind.SEND_EMAIL, status="pending", payload__has_key="feedback_request"
    )
    return [outbox.perform(op.pk) for op in ops]


def answers(
    recommendation="YES",
    ratings=(3, 4),
    comments=("Clear thinking", "Listens well"),
    note="Would work well with the platform team.",
):
    data = {"recommendation": recommendation, "note": note}
    for index, (rating, comment) in enumerate(zip(ratings, comments, strict=True)):
        data[f"q{index}_rating"] = str(rating) if rating else ""
        data[f"q{index}_comment"] = comment
    return data


def values(**overrides):
    data = answers(**overrides)
    return {
        "recommendation": data["recommendation"],
        "note": data["note"],
        "answers": [
            {"rating": int(data[f"q{i}_rating"]), "comment": data[f"q{i}_comment"]}
            for i in range(len(QUESTIONS))
        ],
    }


def requests_of(panel):
    return {r.interviewer.name.split()[0]: r for r in panel.interview.feedback_requests.all()}
