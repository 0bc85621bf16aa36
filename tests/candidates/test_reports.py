"""The Reports page over a known history: interviews booked by Convene and found only in the
ATS (or only on an ATS interview's calendar event), reschedules and cancellations with their
reasons, declines, late and missing feedback, booking links at every step. Every figure on
the page and in the CSV files is checked exactly, and the rows behind the numbers."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from candidates.models import BookingLink
from candidates.sync import write_seats
from scheduling.models import (
    AuditEntry,
    FeedbackRequest,
    Interview,
    InterviewPlan,
    InterviewSession,
    Membership,
    SessionAttendee,
    audit,
)
from tests import factories as f
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
PERIOD = {"start": "2026-11-02", "end": "2026-11-29"}  # four weeks, Monday to Sunday
H = dt.timedelta(hours=1)


def utc(day, hour, minute=0, month=11):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def convene_interview(app, plan, start, people, *, booked, stage_entered, ats_id=""):
    """An interview Convene booked at `booked` (one session, `people` on it)."""
    interview = Interview.objects.create(
        tenant=app.tenant,
        application=app,
        plan=plan,
        stage_status=app.status,
        stage_entered_at=stage_entered,
        start_at=start,
        end_at=start + H,
    )
    Interview.objects.filter(pk=interview.pk).update(created_at=booked)
    session = InterviewSession.objects.create(
        interview=interview, title="Onsite", start_at=start, end_at=start + H,
        ats_interview_id=ats_id,
    )  # fmt: skip
    for person in people:
        SessionAttendee.objects.create(
            session=session, interviewer=person, start_at=start, end_at=start + H
        )
    interview.refresh_from_db()
    return interview


def at(when, entry):
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)


def link(app, plan, *, sent, opened=None, booked=None, state="open", expires):
    made = BookingLink.objects.create(
        tenant=app.tenant,
        application=app,
        plan=plan,
        sent_to="c@example.com",
        sent_at=sent,
        first_opened_at=opened,
        open_count=1 if opened else 0,
        booked_at=booked,
        state=state,
        window_start=sent.date(),
        window_end=sent.date() + dt.timedelta(days=7),
        expires_at=expires,
    )
    return made


def feedback(interview, person, *, due, submitted=None):
    return FeedbackRequest.objects.create(
        tenant=interview.tenant,
        interview=interview,
        session=interview.sessions.get(),
        interviewer=person,
        requested_at=due - dt.timedelta(days=1),
        due_at=due,
        expires_at=due + dt.timedelta(days=14),
        submitted_at=submitted,
        status="submitted" if submitted else "requested",
    )


@pytest.fixture
def history(tenant, recruiter, other_tenant):
    ats = f.connection(tenant, integration_name="Greenhouse")
    rosa = f.interviewer(tenant, "Rosa Recruiter", ats_user_id="emp-rosa")
    backend = f.job(ats, "Backend Engineer")
    backend.recruiters.add(rosa)
    design = f.job(ats, "Product Designer")
    ann = f.interviewer(tenant, "Ann Lee", ats_user_id="emp-ann", max_interviews_per_day=1)
    bo = f.interviewer(tenant, "Bo Kim", ats_user_id="emp-bo", email="bo@acme.example")
    f.interviewer(tenant, "Cy Park", ats_user_id="emp-cy", timezone="Europe/London")
    plan = InterviewPlan.objects.create(tenant=tenant, name="Onsite")
    apps = {
        n: f.application(ats, f.candidate(ats, name), job_)
        for n, name, job_ in [
            (1, "Grace Hopper", backend),
            (2, "Alan Turing", backend),
            (3, "Ada Lovelace", design),
            (4, "Edsger Dijkstra", backend),
            (5, "Barbara Liskov", design),
            (6, "Donald Knuth", backend),
            (7, "Ken Thompson", backend),
            (8, "Frances Allen", design),
            (9, "John Backus", design),
        ]
    }
    # Booked in Convene: 24 h, 48 h and 12 h after reaching the stage.
    i1 = convene_interview(
        apps[1], plan, utc(5, 15), [ann],
        booked=utc(3, 14), stage_entered=utc(2, 14), ats_id="gh-1",
    )  # fmt: skip
    i2 = convene_interview(
        apps[2], plan, utc(6, 15), [ann, bo], booked=utc(4, 14), stage_entered=utc(2, 14)
    )
    i3 = convene_interview(
        apps[3], plan, utc(12, 15), [bo], booked=utc(10, 2), stage_entered=utc(9, 14)
    )
    # Booked before the period: not in time to schedule.
    convene_interview(
        apps[6], plan, utc(30, 15, month=10), [bo],
        booked=utc(28, 14, month=10), stage_entered=utc(27, 14, month=10),
    )  # fmt: skip

    # Found only in the ATS: two on Monday 16 November for Ann (her limit is one a day),
    # Convene's own i1 as the ATS holds it (counted once, as Convene's), and one whose ATS
    # record names nobody but whose calendar event invites Bo.
    def ats_only(app, start, user_ids, **fields):
        interview = f.remote_interview(app, start_in=start - NOW, user_ids=user_ids, **fields)
        write_seats(tenant, type(interview).objects.filter(pk=interview.pk))
        return interview

    ats_only(apps[7], utc(16, 15), ["emp-ann"], status="COMPLETE")
    ats_only(apps[8], utc(16, 18), ["emp-ann"], status="COMPLETE")
    ats_only(apps[1], utc(5, 15), ["emp-ann"], remote_id="gh-1")
    ats_only(
        apps[9], utc(18, 15), [], external_event_xref="evt-9", event_status="CONFIRMED",
        event_start_at=utc(18, 16), event_end_at=utc(18, 17),
        event_attendees=[{"email": "bo@acme.example", "user_id": "", "status": "ACCEPTED",
                          "organizer": False}],
    )  # fmt: skip
    ats_only(apps[4], utc(20, 15), ["emp-cy"], status="CANCELED")

    # Changes: two reschedules and a move in a calendar; a cancellation by the candidate.
    at(
        utc(4, 16),
        audit(tenant, "interview.rescheduled", "Moved", actor=recruiter, obj=i1,
              by="recruiter", reason="Interviewer sick"),
    )  # fmt: skip
    at(
        utc(5, 16),
        audit(tenant, "interview.rescheduled", "Moved", actor_label="Candidate", obj=i2,
              by="candidate", reason=""),
    )  # fmt: skip
    at(
        utc(6, 9),
        audit(tenant, "interview.moved_elsewhere", "Moved in the calendar", obj=i1,
              by="calendar", reason=""),
    )  # fmt: skip
    at(  # before the period
        utc(30, 9, month=10),
        audit(tenant, "interview.rescheduled", "Moved", actor=recruiter, obj=i1,
              by="recruiter", reason="Too early"),
    )  # fmt: skip
    Interview.objects.filter(pk=i3.pk).update(
        status="canceled", canceled_at=utc(11, 9), canceled_by="candidate",
        cancel_reason="Took another offer",
    )  # fmt: skip
    SessionAttendee.objects.filter(session__interview=i3).update(active=False)
    SessionAttendee.objects.filter(session__interview=i2, interviewer=bo).update(
        response="REJECTED"
    )

    # Feedback: Ann on time once and 48 h late once; Bo 6 h late once and missing once.
    feedback(i1, ann, due=utc(6, 15), submitted=utc(6, 10))
    feedback(i2, ann, due=utc(7, 15), submitted=utc(9, 15))
    feedback(i2, bo, due=utc(7, 15), submitted=utc(7, 21))
    feedback(i1, bo, due=utc(6, 15))

    # Booking links: one booked 12 h after it was sent, one opened and expired, one
    # waiting, one withdrawn.
    link(apps[1], plan, sent=utc(2, 15), opened=utc(2, 20), booked=utc(3, 3),
         state="booked", expires=utc(9, 15))  # fmt: skip
    link(apps[4], plan, sent=utc(10, 14), opened=utc(11, 14), expires=utc(17, 14))
    link(apps[5], plan, sent=utc(16, 14), expires=utc(20, 14, month=12))
    link(apps[6], plan, sent=utc(20, 14), state="revoked", expires=utc(27, 14))

    # Another team's history never shows.
    theirs = f.connection(other_tenant)
    stranger = f.interviewer(other_tenant, "Otto", ats_user_id="emp-otto")
    convene_interview(
        f.application(theirs, f.candidate(theirs, "Ursula")),
        InterviewPlan.objects.create(tenant=other_tenant, name="Theirs"),
        utc(5, 15), [stranger], booked=utc(3, 14), stage_entered=utc(2, 14),
    )  # fmt: skip
    return {"ann": ann, "bo": bo, "backend": backend, "rosa": rosa, "plan": plan, "i1": i1}


def text_of(response):
    html = response.content.decode()
    html = re.sub(r"<(script|style|title|desc)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def get_csv(client, chart, **params):
    response = client.get(reverse("reports_csv", args=[chart]), {**PERIOD, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_says_every_figure(recruiter_client, history):
    response = recruiter_client.get(reverse("reports"), PERIOD)
    assert response.status_code == 200
    page = text_of(response)
    for sentence in [
        "24.0 hours from reaching an interview stage to a booked interview (median of 3)",
        "12.0 hours from sending a booking link to the candidate booking (median of 1)",
        "67% of interview seats were taken by the busiest 30% of interviewers (1 of 2 people)",
        "25% of feedback came in on time (1 of 4)",
        "For the 3 interviews booked in Convene in this period, the time from the candidate "
        "reaching the interview stage to the booking: half were booked within 24.0 hours , "
        "nine in ten within 43.2 hours",
        "For the 1 booking link booked, the time from sending the link to the candidate "
        "choosing a time: median 12.0 hours , nine in ten within 12.0 hours",
        "2 interviewers sat in 6 interview seats starting in this period, 3 of them in "
        "interviews booked outside Convene",
        "The busiest 30% — 1 person — took 67% of them.",
        # Two by people in Convene, one moved in a calendar.
        "In this period interviews were rescheduled 3 times and 1 was canceled; interviewers "
        "declined 1 calendar invitation.",
        "Of the 4 feedback requests due in this period, 1 came in by the time they were due "
        "( 25% )",
        "Of the 4 booking links sent in this period, 2 were opened and 1 booked; 1 expired "
        "unused and 1 was withdrawn.",
        "Week of 2 Nov 2026 2 36.0 hours 45.6 hours 1 12.0 hours 12.0 hours",
        "Week of 9 Nov 2026 1 12.0 hours 12.0 hours 0 — —",
        "Week of 16 Nov 2026 0 — — 0 — —",
        "Ann Lee 4 2 1.0 2",
        "Bo Kim 2 1 0.5 1",
        "Ann Lee 1 1 a day 0 10 a week",
        "Rescheduled Recruiter Interviewer sick 1",
        "Rescheduled Candidate No reason given 1",
        "Rescheduled Interviewer, in their calendar No reason given 1",
        "Canceled Candidate Took another offer 1",
        "Bo Kim 1",
        "Bo Kim 2 0 1 1 0% 6.0 hours",
        "Ann Lee 2 1 1 0 50% 2.0 days",
        "Sent 4 100% Opened 2 50% Booked 1 25% Expired unused 1 25% Withdrawn 1 25%",
    ]:
        assert sentence in page, sentence
    assert "Ursula" not in page and "Otto" not in page and "Cy Park" not in page
    assert "Too early" not in page


def test_every_csv_holds_the_same_figures(recruiter_client, history):
    assert get_csv(recruiter_client, "time-to-schedule") == [
        [
            "week_starting",
            "interviews_booked",
            "stage_to_booked_median_hours",
            "stage_to_booked_p90_hours",
            "links_booked",
            "link_to_booked_median_hours",
            "link_to_booked_p90_hours",
        ],
        ["2026-11-02", "2", "36.00", "45.60", "1", "12.00", "12.00"],
        ["2026-11-09", "1", "12.00", "12.00", "0", "", ""],
        ["2026-11-16", "0", "", "", "0", "", ""],
        ["2026-11-23", "0", "", "", "0", "", ""],
    ]
    assert get_csv(recruiter_client, "load") == [
        ["interviewer", "interviews", "booked_outside_convene", "per_week", "busiest_week"],
        ["Ann Lee", "4", "2", "1.00", "2"],
        ["Bo Kim", "2", "1", "0.50", "1"],
    ]
    assert get_csv(recruiter_client, "over-caps") == [
        ["interviewer", "days_over", "daily_limit", "weeks_over", "weekly_limit"],
        ["Ann Lee", "1", "1", "0", "10"],
    ]
    assert get_csv(recruiter_client, "changes") == [
        ["change", "who_asked", "reason", "count"],
        ["reschedule", "calendar", "", "1"],
        ["reschedule", "candidate", "", "1"],
        ["reschedule", "recruiter", "Interviewer sick", "1"],
        ["cancel", "candidate", "Took another offer", "1"],
    ]
    assert get_csv(recruiter_client, "declines") == [["interviewer", "declined"], ["Bo Kim", "1"]]
    assert get_csv(recruiter_client, "feedback") == [
        [
            "interviewer",
            "due",
            "on_time",
            "late",
            "missing",
            "on_time_rate",
            "median_lateness_hours",
        ],
        ["Bo Kim", "2", "0", "1", "1", "0.0000", "6.00"],
        ["Ann Lee", "2", "1", "1", "0", "0.5000", "48.00"],
    ]
    assert get_csv(recruiter_client, "self-scheduling") == [
        ["stage", "links", "share_of_sent"],
        ["sent", "4", "1.0000"],
        ["opened", "2", "0.5000"],
        ["booked", "1", "0.2500"],
        ["expired", "1", "0.2500"],
        ["revoked", "1", "0.2500"],
    ]


def test_filters_narrow_every_figure_to_a_job_recruiter_or_plan(recruiter_client, history):
    by_job = {"job": str(history["backend"].pk)}
    assert get_csv(recruiter_client, "time-to-schedule", **by_job)[1] == [
        "2026-11-02", "2", "36.00", "45.60", "1", "12.00", "12.00",
    ]  # fmt: skip
    assert get_csv(recruiter_client, "time-to-schedule", **by_job)[2][1] == "0"
    # Ann: i1, i2 and the ATS interview for Backend; Bo: i2 (the event was for Design).
    assert get_csv(recruiter_client, "load", **by_job)[1:] == [
        ["Ann Lee", "3", "1", "0.75", "2"],
        ["Bo Kim", "1", "0", "0.25", "1"],
    ]
    by_recruiter = {"recruiter": str(history["rosa"].pk)}
    assert get_csv(recruiter_client, "load", **by_recruiter) == get_csv(
        recruiter_client, "load", **by_job
    )
    assert get_csv(recruiter_client, "self-scheduling", **by_job)[1:4] == [
        ["sent", "3", "1.0000"],
        ["opened", "2", "0.6667"],
        ["booked", "1", "0.3333"],
    ]
    assert get_csv(recruiter_client, "changes", **by_job)[1:] == [
        ["reschedule", "calendar", "", "1"],
        ["reschedule", "candidate", "", "1"],
        ["reschedule", "recruiter", "Interviewer sick", "1"],
    ]
    # A plan: only Convene's interviews have one.
    by_plan = {"plan": str(history["plan"].pk)}
    assert get_csv(recruiter_client, "load", **by_plan)[1:] == [
        ["Ann Lee", "2", "0", "0.50", "2"],
        ["Bo Kim", "1", "0", "0.25", "1"],
    ]
    # Over the limits counts everything a person sat in, whatever the filter.
    assert get_csv(recruiter_client, "over-caps", **by_plan)[1:] == [
        ["Ann Lee", "1", "1", "0", "10"]
    ]


def test_numbers_link_to_the_rows_they_count(recruiter_client, history):
    page = recruiter_client.get(reverse("reports"), PERIOD).content.decode()
    ann = history["ann"]
    seats = re.search(r'href="([^"]*rows/seats/[^"]*interviewer=' + str(ann.pk) + ')"', page)
    response = recruiter_client.get(seats.group(1).replace("&amp;", "&"))
    rows = text_of(response)
    assert "4 in all" in rows
    for row in [
        "Thu 05 Nov 2026 10:00 Grace Hopper Onsite Convene",
        "Fri 06 Nov 2026 10:00 Alan Turing Onsite Convene",
        "Mon 16 Nov 2026 10:00 Ken Thompson Interview in the ATS Greenhouse",
        "Mon 16 Nov 2026 13:00 Frances Allen Interview in the ATS Greenhouse",
    ]:
        assert row in rows, row

    bo_seats = recruiter_client.get(
        reverse("report_rows", args=["seats"]), {**PERIOD, "interviewer": history["bo"].pk}
    )
    assert (
        "Wed 18 Nov 2026 11:00 John Backus Interview in the ATS Greenhouse, from its "
        "calendar event" in text_of(bo_seats)
    )

    booked = recruiter_client.get(
        reverse("report_rows", args=["booked"]), {**PERIOD, "week": "2026-11-02"}
    )
    assert "2 in all" in text_of(booked)
    assert (
        "Grace Hopper Backend Engineer Mon 02 Nov 2026 09:00 Tue 03 Nov 2026 09:00 24.0 hours"
        in text_of(booked)
    )

    changes = recruiter_client.get(
        reverse("report_rows", args=["changes"]),
        {**PERIOD, "change": "reschedule", "by": "recruiter", "reason": "Interviewer sick"},
    )
    assert "1 in all" in text_of(changes)
    assert "Grace Hopper" in text_of(changes)
    canceled = recruiter_client.get(
        reverse("report_rows", args=["changes"]),
        {**PERIOD, "change": "cancel", "by": "candidate", "reason": "Took another offer"},
    )
    assert "Ada Lovelace" in text_of(canceled)

    late = recruiter_client.get(
        reverse("report_rows", args=["feedback"]),
        {**PERIOD, "interviewer": history["bo"].pk, "state": "late"},
    )
    assert "Alan Turing Onsite Sat 07 Nov 2026 10:00 Sat 07 Nov 2026 16:00 6.0 hours" in text_of(
        late
    )
    expired = recruiter_client.get(
        reverse("report_rows", args=["links"]), {**PERIOD, "stage": "expired"}
    )
    assert "1 in all" in text_of(expired) and "Edsger Dijkstra" in text_of(expired)


def test_bad_input_gets_words_beside_the_field(recruiter_client, history):
    response = recruiter_client.get(
        reverse("reports"), {"start": "2026-11-29", "end": "2026-11-02"}
    )
    assert response.status_code == 400
    assert "The end of the period comes before its start." in text_of(response)
    response = recruiter_client.get(reverse("reports"), {"start": "soon", "end": "later"})
    assert response.status_code == 400
    assert "Enter a valid date." in text_of(response)
    assert (
        recruiter_client.get(reverse("reports_csv", args=["nonsense"]), PERIOD).status_code == 404
    )
    rows = reverse("report_rows", args=["seats"])
    assert recruiter_client.get(rows, {**PERIOD, "interviewer": "nope"}).status_code == 404


def test_without_a_period_the_last_90_days_are_shown(recruiter_client, history):
    page = text_of(recruiter_client.get(reverse("reports")))
    assert "3 Sep 2026 to 1 Dec 2026, both included" in page
    assert "(median of 4)" in page  # the booking of 28 October too


def test_interviewers_may_not_see_reports_and_other_teams_see_their_own(
    client, tenant, history, other_tenant, outsider
):
    client.force_login(make_member(tenant, "ivan@acme.example", Membership.Role.INTERVIEWER))
    assert client.get(reverse("reports"), PERIOD).status_code == 403
    client.force_login(outsider)
    page = text_of(client.get(reverse("reports"), PERIOD))
    assert "(median of 1)" in page  # Ursula's, their own
    assert "Grace Hopper" not in page and "Ann Lee" not in page
    other = client.get(
        reverse("report_rows", args=["seats"]), {**PERIOD, "interviewer": history["ann"].pk}
    )
    assert other.status_code == 404


def test_the_page_takes_one_query_per_chart(recruiter_client, history, django_assert_num_queries):
    # Nine for the figures (load and the limits in one, after the team's zones), three for
    # the filters' choices, and the session, user, membership and navigation's.
    with django_assert_num_queries(16):
        assert recruiter_client.get(reverse("reports"), PERIOD).status_code == 200


def test_an_empty_period_says_so_in_words(recruiter_client, history):
    page = text_of(
        recruiter_client.get(reverse("reports"), {"start": "2020-01-01", "end": "2020-03-31"})
    )
    for sentence in [
        "No interviews were booked in Convene in this period.",
        "No candidate booked through a link in this period.",
        "Nobody sat in an interview in this period.",
        "No feedback was due in this period.",
        "No interview was rescheduled or canceled in this period, and no calendar invitation "
        "was declined.",
        "No booking links were sent in this period.",
    ]:
        assert sentence in page, sentence
    assert "median of 0" not in page
