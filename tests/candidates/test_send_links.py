"""The recruiter's side of booking links: sending (with a preview), the list on the
candidate page, revoke and resend, the pipeline's link states and the email template."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.html import strip_tags

from candidates import links
from candidates.models import BookingLink
from scheduling.models import Membership
from tests import factories as f
from tests.candidates.links_helpers import NOW, make_link, url
from tests.conftest import make_member

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def send_url(*applications):
    return reverse("links_send") + "?" + "&".join(f"application={a.pk}" for a in applications)


def test_the_send_form_has_sensible_defaults_and_previews_the_email(
    recruiter_client, application, plan, frozen
):
    response = recruiter_client.get(send_url(application))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["plan"] == plan
    # Tuesday 10:00 in New York + 24 hours' notice: Wednesday, then ten working days.
    assert form.initial["window_start"] == dt.date(2026, 12, 2)
    assert form.initial["window_end"] == dt.date(2026, 12, 15)
    assert form.initial["expiry_days"] == 7
    page = text(response)
    assert "Choose a time for your interview with Acme Robotics" in page
    assert "Hello Grace," in page and links.PREVIEW_LINK in page
    assert (
        "Tuesday 8 December, 10:00 New York time (United States, UTC−5)" in page
    )  # the expiry, on the candidate's clock
    assert "Send 1 link" in page


def test_the_preview_follows_the_form(recruiter_client, application, plan, frozen):
    response = recruiter_client.post(
        reverse("links_send"),
        {
            "application": application.pk,
            "plan": plan.pk,
            "window_start": "2026-12-07",
            "window_end": "2026-12-11",
            "expiry_days": "3",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "Friday 4 December, 10:00 New York time (United States, UTC−5)" in text(response)
    assert not BookingLink.objects.exists()


def test_sending_creates_the_link_and_emails_it(
    recruiter_client, application, plan, recruiter, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(
            reverse("links_send"),
            {
                "application": application.pk,
                "plan": plan.pk,
                "window_start": "2026-12-07",
                "window_end": "2026-12-18",
                "expiry_days": "10",
                "send": "1",
            },
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("candidate_detail", args=[application.candidate_id])
    link = BookingLink.objects.get()
    assert (link.plan, link.created_by, link.sent_to) == (
        plan,
        recruiter,
        application.candidate.email,
    )
    assert (link.window_start, link.window_end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 18))
    assert link.expires_at == NOW + dt.timedelta(days=10) and link.sent_at == NOW
    (email,) = mail.outbox
    assert email.to == [application.candidate.email]
    assert links.url_for(link) in email.body
    page = recruiter_client.get(response["Location"])
    assert "Sent 1 booking link." in text(page)


def test_many_at_once_from_the_pipeline_with_skips_listed(
    recruiter_client, ats, plan, frozen, django_capture_on_commit_callbacks
):
    plan.stage_status = "FIRST_INTERVIEW"
    plan.save()
    ok = [f.application(ats, f.candidate(ats, name)) for name in ("Ada Lovelace", "Alan Kay")]
    no_email = f.application(ats, f.candidate(ats, "Bo Noemail", email=""))
    no_plan = f.application(ats, f.candidate(ats, "Cy Later"), status="THIRD_INTERVIEW")
    chosen = [*ok, no_email, no_plan]

    form = recruiter_client.get(send_url(*chosen))
    page = text(form)
    assert "Send 2 links" in page
    assert "Bo Noemail: no email address in the ATS" in page
    assert "Cy Later: no interview plan for its job and stage" in page
    assert "as Ada Lovelace will get it" in page and "Hello Ada," in page

    data = {
        "application": [a.pk for a in chosen],
        "plan": "",
        "window_start": "2026-12-02",
        "window_end": "2026-12-15",
        "expiry_days": "7",
        "send": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(reverse("links_send"), data)

    assert response["Location"] == reverse("pipeline")
    assert {link.application for link in BookingLink.objects.all()} == set(ok)
    assert sorted(m.to[0].split("@")[0][:3] for m in mail.outbox) == ["ada", "ala"]
    flash = text(recruiter_client.get(reverse("pipeline")))
    assert "Sent 2 booking links." in flash
    assert "Skipped: Bo Noemail (no email address in the ATS); Cy Later (no interview" in flash


def test_the_form_says_what_is_wrong_beside_the_field(recruiter_client, application, frozen):
    response = recruiter_client.post(
        reverse("links_send"),
        {
            "application": application.pk,
            "window_start": "2026-11-30",
            "window_end": "2026-11-29",
            "expiry_days": "0",
            "send": "1",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["window_start"] == ["The first day has passed."]
    assert errors["window_end"] == ["The last day is before the first."]
    assert "expiry_days" in errors
    assert 'class="field-error"' in response.content.decode()
    assert not BookingLink.objects.exists()


def test_the_pipeline_has_checkboxes_and_a_send_button(recruiter_client, application):
    html = recruiter_client.get(reverse("pipeline")).content.decode()
    assert '<form id="send-links" method="get" action="/links/send/"' in html
    assert f'name="application" value="{application.pk}" form="send-links"' in html


# --- the list on the candidate page, revoke and resend ------------------------------------------


def test_the_candidate_page_lists_links_with_their_state_and_visits(
    recruiter_client, client, link, application, frozen
):
    BookingLink.objects.filter(pk=link.pk).update(sent_at=NOW)
    client.get(url("page", link))
    client.get(url("page", link))
    page = recruiter_client.get(reverse("candidate_detail", args=[application.candidate_id]))
    assert page.status_code == 200
    listed = text(page).split("Booking links", 1)[1]
    assert listed.startswith(" Opened sent 1 Dec, 10:00 to grace")
    assert "2 visits" in listed and "by Rosa Recruiter" in listed
    assert "Resend" in listed and "Revoke" in listed
    assert "Link opened" in text(page)


def test_revoke_stops_the_link(recruiter_client, client, link, application, frozen):
    response = recruiter_client.post(reverse("link_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == BookingLink.State.REVOKED
    assert client.get(url("page", link)).status_code == 410
    page = recruiter_client.get(response["Location"])
    assert "Revoked" in text(page) and "no longer works" in text(page)
    assert recruiter_client.get(reverse("link_revoke", args=[link.pk])).status_code == 405


def test_resend_emails_an_open_link_again_but_not_an_expired_one(
    recruiter_client, link, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("link_resend", args=[link.pk]))
    assert len(mail.outbox) == 1 and links.url_for(link) in mail.outbox[0].body
    BookingLink.objects.filter(pk=link.pk).update(expires_at=NOW)
    response = recruiter_client.post(reverse("link_resend", args=[link.pk]), follow=True)
    assert "Only an open link that has not expired can be sent again." in text(response)
    assert len(mail.outbox) == 1


def test_every_link_view_is_404_for_another_tenant(outsider_client, link, application):
    assert outsider_client.get(send_url(application)).status_code == 404
    assert (
        outsider_client.post(
            reverse("links_send"), {"application": application.pk, "send": "1"}
        ).status_code
        == 404
    )
    assert outsider_client.post(reverse("link_revoke", args=[link.pk])).status_code == 404
    assert outsider_client.post(reverse("link_resend", args=[link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN


def test_a_mix_of_own_and_other_tenants_applications_is_404(
    recruiter_client, application, other_tenant
):
    theirs = f.connection(other_tenant)
    foreign = f.application(theirs, f.candidate(theirs, "Globex Person"))
    assert recruiter_client.get(send_url(application, foreign)).status_code == 404
    nothing_ticked = recruiter_client.get(reverse("links_send"), follow=True)
    assert "Tick the applications" in text(nothing_ticked)
    assert recruiter_client.get(reverse("links_send") + "?application=nope").status_code == 404


def test_interviewers_cannot_send_links(client, tenant, application):
    client.force_login(make_member(tenant, "ian@acme.example", Membership.Role.INTERVIEWER))
    assert client.get(send_url(application)).status_code == 403


# --- the pipeline's link states -------------------------------------------------------------


def test_the_pipeline_shows_link_sent_opened_and_expired(recruiter_client, ats, plan, recruiter):
    with time_machine.travel(NOW, tick=False) as clock:
        sent = make_link(f.application(ats, f.candidate(ats, "Sam Sent")), plan, recruiter)
        opened = make_link(f.application(ats, f.candidate(ats, "Olga Opened")), plan, recruiter)
        BookingLink.objects.filter(pk=opened.pk).update(open_count=1)
        expired = make_link(
            f.application(ats, f.candidate(ats, "Ed Expired")), plan, recruiter, days=1
        )
        revoked = make_link(f.application(ats, f.candidate(ats, "Rae Revoked")), plan, recruiter)
        links.revoke(revoked)
        f.application(ats, f.candidate(ats, "Nia Nothing"))
        clock.shift(dt.timedelta(days=2))
        response = recruiter_client.get(reverse("pipeline"), {"state": "any"})
        states = {a.candidate.name: a.scheduling_state for a in response.context["page"]}
        assert states == {
            "Sam Sent": "link_sent",
            "Olga Opened": "link_opened",
            "Ed Expired": "link_expired",
            "Rae Revoked": "needs_scheduling",
            "Nia Nothing": "needs_scheduling",
        }
        page = text(response)
        assert "Link sent" in page and "Link opened" in page and "Link expired" in page
        assert [
            a.candidate.name
            for a in recruiter_client.get(reverse("pipeline"), {"state": "link_expired"}).context[
                "page"
            ]
        ] == ["Ed Expired"]
        assert sent.application.pk and expired.application.pk


def test_a_booked_link_makes_the_application_scheduled(client, recruiter_client, link):
    from tests.candidates.test_booking_page import book_first

    book_first(client, link)
    response = recruiter_client.get(reverse("pipeline"), {"state": "any"})
    assert [a.scheduling_state for a in response.context["page"]] == ["scheduled"]


def test_a_link_from_an_earlier_stage_does_not_count(recruiter_client, link, application):
    application.status = "SECOND_INTERVIEW"
    application.stage_entered_at = link.created_at + dt.timedelta(minutes=1)
    application.save()
    response = recruiter_client.get(reverse("pipeline"), {"state": "any"})
    assert [a.scheduling_state for a in response.context["page"]] == ["needs_scheduling"]


def test_link_states_keep_the_pipelines_query_count_constant(
    recruiter_client, ats, plan, recruiter
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            recruiter_client.get(reverse("pipeline"), {"state": "any"})
        return len(ctx.captured_queries)

    make_link(f.application(ats, f.candidate(ats, "First")), plan, recruiter)
    few = count()
    for n in range(20):
        make_link(f.application(ats, f.candidate(ats, f"P{n}")), plan, recruiter)
    assert count() == few


# --- the team's email template --------------------------------------------------------------


def settings_data(**changes):
    return {
        "name": "Acme Robotics",
        "default_timezone": "America/New_York",
        "interview_statuses": ["FIRST_INTERVIEW"],
        "link_email_subject": "Pick a time, {first_name}",
        "link_email_body": "Hi {first_name}, {link} works until {expires}. {company}",
        "link_expiry_days": "5",
        "link_reminder_hours": "24",
        "candidate_change_cutoff_hours": "12",
        **changes,
    }


def test_admins_edit_the_booking_email(admin_client_, tenant, application, frozen):
    page = admin_client_.get(reverse("team_settings"))
    assert "Booking links" in text(page) and "{first_name}, {name}, {job}" in text(page)
    response = admin_client_.post(reverse("team_settings"), settings_data())
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.link_email_subject == "Pick a time, {first_name}"
    assert (tenant.link_expiry_days, tenant.candidate_change_cutoff_hours) == (5, 12)
    subject, body = links.preview(application, expires_at=NOW)
    assert subject == "Pick a time, Grace"
    assert body.startswith(f"Hi Grace, {links.PREVIEW_LINK} works until")


def test_unknown_placeholders_and_a_missing_link_are_refused_beside_the_field(
    admin_client_, tenant
):
    response = admin_client_.post(
        reverse("team_settings"),
        settings_data(
            link_email_subject="Hello {frist_name}",
            link_email_body="Dear {first_name} at {company.name}, see you.",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["link_email_subject"] == [
        "Unknown placeholder {frist_name}: use {first_name}, {name}, {job}, {company}, "
        "{link}, {expires}."
    ]
    assert errors["link_email_body"][0].startswith("Unknown placeholder {company.name}")
    html = response.content.decode()
    assert 'id="id_link_email_subject_error"' in html
    response = admin_client_.post(
        reverse("team_settings"), settings_data(link_email_body="Hi {first_name}")
    )
    assert response.context["form"].errors["link_email_body"] == [
        "Put {link} in the text: without it the candidate cannot book."
    ]
    tenant.refresh_from_db()
    assert "{link}" in tenant.link_email_body
