"""The link services: tokens, the tenant's email template, sending, reminders."""

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing

from candidates import links
from candidates.models import BookingLink
from scheduling.models import AuditEntry, Interview
from scheduling.models.tenancy import unknown_placeholders
from tests import factories as f
from tests.candidates.links_helpers import NOW, make_link, url

pytestmark = pytest.mark.django_db


def test_the_token_signs_only_the_link_id_and_resolves_to_its_row(link):
    token = links.token_for(link)
    assert token.split(".")[0] == str(link.pk)
    assert "grace" not in token.lower()
    assert links.resolve(token) == link


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: ("1" if t[0] == "0" else "0") + t[1:],  # another id, old signature
        lambda t: t.split(".")[0],  # no signature
        lambda t: "not-a-token",
    ],
)
def test_tampered_tokens_are_told_apart_from_unknown_links(link, change):
    with pytest.raises(links.LinkError) as caught:
        links.resolve(change(links.token_for(link)))
    assert caught.value.kind == "tampered" and caught.value.link is None


def test_a_well_signed_token_of_a_deleted_link_is_unknown(link):
    token = links.token_for(link)
    link.delete()
    with pytest.raises(links.LinkError) as caught:
        links.resolve(token)
    assert caught.value.kind == "unknown"


def test_a_token_signed_with_another_salt_is_tampered(link):
    token = signing.Signer(salt="something-else", sep=".").sign(str(link.pk))
    with pytest.raises(links.LinkError) as caught:
        links.resolve(token)
    assert caught.value.kind == "tampered"


def test_expired_and_revoked_links_say_so_and_keep_their_row(link, frozen):
    frozen.shift(dt.timedelta(days=7, seconds=1))
    with pytest.raises(links.LinkError) as caught:
        links.resolve(links.token_for(link))
    assert (caught.value.kind, caught.value.link) == ("expired", link)
    links.revoke(link)
    with pytest.raises(links.LinkError) as caught:
        links.resolve(links.token_for(link))
    assert caught.value.kind == "revoked"


def test_a_new_link_revokes_the_open_one_of_the_same_application(
    link, application, plan, recruiter
):
    second = make_link(application, plan, recruiter)
    link.refresh_from_db()
    assert link.state == BookingLink.State.REVOKED and second.state == BookingLink.State.OPEN
    assert AuditEntry.objects.filter(action="link.revoked", object_id=str(link.pk)).exists()


# --- the email --------------------------------------------------------------------------------


def test_the_email_uses_the_tenants_template(
    link, tenant, django_capture_on_commit_callbacks, send_now
):
    tenant.link_email_subject = "{first_name}, pick a time with {company}"
    tenant.link_email_body = "Hi {first_name}! {job}: {link} (until {expires}) {unknown}"
    tenant.save()
    send_now(links.queue_link_email, link)
    (email,) = mail.outbox
    assert email.subject == "Grace, pick a time with Acme Robotics"
    url = links.url_for(link)
    assert email.body.startswith(f"Hi Grace! Compiler Engineer: {url} (until ")
    assert email.body.strip().endswith("{unknown}")  # left as written, never a crash
    # The expiry is on the candidate's clock (the team's zone until theirs is known).
    assert "Tuesday 8 December, 10:00 New York time (United States, UTC−5)" in email.body
    assert url in email.alternatives[0][0]
    link.refresh_from_db()
    assert link.sent_at == NOW


def test_placeholders_never_break_the_rendering():
    assert links._render("{link.x} {0} {first_name:>9} {{ {link}", {"link": "L"}) == (
        "{link.x} {0} {first_name:>9} {{ L"
    )
    assert unknown_placeholders("{first_name} {nmae} {link} {nmae} {}") == ["nmae", ""]


def test_the_preview_shows_the_first_candidates_email_with_a_stand_in_link(application, frozen):
    subject, body = links.preview(application, expires_at=NOW + dt.timedelta(days=7))
    assert subject == "Choose a time for your interview with Acme Robotics"
    assert "Hello Grace," in body and links.PREVIEW_LINK in body


def test_default_window_is_ten_working_days_after_the_notice(plan, tenant):
    # Friday 11:00 in New York with 24 hours' notice: Saturday, so from Monday.
    now = dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    assert links.default_window(plan, tenant, now) == (dt.date(2026, 12, 7), dt.date(2026, 12, 18))
    plan.minimum_notice_hours = 0
    assert links.default_window(plan, tenant, now) == (dt.date(2026, 12, 4), dt.date(2026, 12, 17))


def test_recipients_without_email_plan_or_with_an_interview_are_skipped(ats, tenant, plan):
    ok = f.application(ats, f.candidate(ats, "Ada Ok"))
    no_email = f.application(ats, f.candidate(ats, "Bo Noemail", email=""))
    booked = f.application(ats, f.candidate(ats, "Cy Booked"))
    Interview.objects.create(
        tenant=tenant,
        application=booked,
        start_at=NOW + dt.timedelta(days=2),
        end_at=NOW + dt.timedelta(days=2, hours=1),
    )
    result = links.recipients([ok, no_email, booked], plan, now=NOW)
    assert [(r.application, r.plan, r.skip) for r in result] == [
        (ok, plan, ""),
        (no_email, None, "no email address in the ATS"),
        (booked, None, "already has an upcoming interview"),
    ]
    plan.delete()
    (first, *_rest) = links.recipients([ok], None, now=NOW)
    assert first.skip == "no interview plan for its job and stage"


# --- reminders ------------------------------------------------------------------------------


def test_reminders_go_after_the_tenants_delay_once_a_day_at_most_twice(
    link, tenant, django_capture_on_commit_callbacks, send_now
):
    with time_machine.travel(NOW, tick=False) as clock:
        send_now(links.queue_link_email, link)
        mail.outbox.clear()
        clock.shift(dt.timedelta(hours=47))
        assert send_now(links.send_reminders) == 0
        clock.shift(dt.timedelta(hours=1))
        assert send_now(links.send_reminders) == 1
        assert mail.outbox[-1].subject.startswith("Reminder: ")
        assert send_now(links.send_reminders) == 0  # not twice a day
        clock.shift(dt.timedelta(days=1))
        assert send_now(links.send_reminders) == 1
        clock.shift(dt.timedelta(days=1))
        assert send_now(links.send_reminders) == 0  # two in all
    link.refresh_from_db()
    assert link.reminders_sent == 2 and len(mail.outbox) == 2


def test_no_reminders_for_booked_revoked_nearly_expired_or_when_the_tenant_says_so(
    ats, tenant, plan, recruiter, send_now
):
    with time_machine.travel(NOW, tick=False) as clock:
        made = []
        for name in ("Ann", "Ben", "Cat"):
            app = f.application(ats, f.candidate(ats, f"{name} Test"))
            made.append(make_link(app, plan, recruiter, days=3))
        for each in made:
            send_now(links.queue_link_email, each)
        BookingLink.objects.filter(pk=made[0].pk).update(state=BookingLink.State.BOOKED)
        links.revoke(made[1])
        clock.shift(dt.timedelta(hours=71))  # made[2] expires within two hours
        assert send_now(links.send_reminders) == 0
        tenant.link_reminder_hours = 0
        tenant.save()
        BookingLink.objects.filter(pk=made[2].pk).update(expires_at=NOW + dt.timedelta(days=9))
        assert send_now(links.send_reminders) == 0


def test_a_link_reopened_by_the_candidates_cancellation_is_reminded_after_the_delay(
    client, link, frozen, send_now
):
    send_now(links.queue_link_email, link)
    booked = client.post(
        url("confirm", link),
        {"start": "20261207T1500Z", "tz": "UTC", "version": 0, "action": "book"},
    )
    assert booked.status_code == 302
    frozen.shift(dt.timedelta(days=1))
    canceled = client.post(url("cancel", link), {"version": 1, "reason": "A clash."})
    assert canceled.status_code == 302
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN and link.interview is not None
    mail.outbox.clear()

    frozen.shift(dt.timedelta(hours=47))
    assert send_now(links.send_reminders) == 0  # the delay counts from the cancellation
    frozen.shift(dt.timedelta(hours=1))
    assert send_now(links.send_reminders) == 1
    assert mail.outbox[-1].subject.startswith("Reminder: ")


def test_no_reminder_once_no_day_of_the_window_is_left(
    application, plan, recruiter, frozen, send_now
):
    link = make_link(application, plan, recruiter, days=30)  # 2–15 December, expires later
    send_now(links.queue_link_email, link)
    frozen.move_to(dt.datetime(2026, 12, 15, 23, 0, tzinfo=dt.UTC))  # 18:00 in New York
    assert send_now(links.send_reminders) == 1
    frozen.move_to(dt.datetime(2026, 12, 17, 5, 0, tzinfo=dt.UTC))  # the 17th everywhere
    assert send_now(links.send_reminders) == 0
    link.refresh_from_db()
    assert link.reminders_sent == 1


def test_the_periodic_job_runs_reminders():
    from scheduling import periodic

    assert periodic.JOBS["booking link reminders"].run is links.send_reminders
