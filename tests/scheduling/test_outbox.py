import pytest
from django.urls import reverse

from scheduling import emails
from tests import factories as f

pytestmark = pytest.mark.django_db


def send(tenant, subject):
    return emails.send(
        "booking_link",
        tenant=tenant,
        to=["grace@x.example"],
        context={
            "subject": subject,
            "text": "Choose here: https://convene.example/book/x",
            "url": "u",
        },
    )


def test_the_outbox_shows_the_teams_emails_with_links(recruiter_client, tenant, other_tenant):
    send(tenant, "Choose a time for your interview")
    send(other_tenant, "Globex secret")
    html = recruiter_client.get(reverse("outbox")).content.decode()
    assert "Choose a time for your interview" in html and "grace@x.example" in html
    assert '<a href="https://convene.example/book/x"' in html
    assert "Globex secret" not in html


def test_the_outbox_searches_by_subject_or_recipient(recruiter_client, tenant):
    send(tenant, "Interview confirmed")
    send(tenant, "Feedback please")
    response = recruiter_client.get(reverse("outbox"), {"q": "feedback"})
    assert [e.subject for e in response.context["page"]] == ["Feedback please"]


def test_one_click_sends_a_new_booking_link_after_a_cancel(recruiter_client, tenant):
    from candidates.models import BookingLink
    from scheduling.models import InterviewPlan

    ats = f.connection(tenant)
    app = f.application(ats, f.candidate(ats, "Ada Lovelace", email="ada@x.example"))
    InterviewPlan.objects.create(tenant=tenant, name="Default")
    response = recruiter_client.post(
        reverse("send_link_now", args=[app.pk]), {"next": "/pipeline/"}, follow=True
    )
    assert b"Sent Ada Lovelace a new booking link." in response.content
    link = BookingLink.objects.get(application=app)
    assert link.state == "open" and link.sent_to == "ada@x.example"


def test_one_click_link_refuses_another_tenants_application(outsider_client, tenant):
    ats = f.connection(tenant)
    app = f.application(ats, f.candidate(ats, "Ada Lovelace"))
    assert outsider_client.post(reverse("send_link_now", args=[app.pk])).status_code == 404
