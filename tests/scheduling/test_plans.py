from html.parser import HTMLParser

import pytest
from django.urls import reverse

from scheduling.models import InterviewPlan, Trainee, TrainingProgram
from scheduling.plans import plan_for
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant):
    return [f.interviewer(tenant, name) for name in ("Ann Lee", "Bo Kim", "Cy Diaz", "Di Roy")]


def post_data(people, **overrides):
    ann, bo, cy, di = people
    data = {
        "name": "Onsite",
        "job": "",
        "stage_status": "SECOND_INTERVIEW",
        "order": "fixed",
        "break_minutes": "15",
        "location_kind": "video",
        "location_detail": "",
        "agenda": "",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "10",
        "minimum_notice_hours": "24",
        "horizon_days": "14",
        "slot_step_minutes": "15",
        "show_interviewer_names": "on",
        "scorecard": "Problem solving\n\nCommunication",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "8",
        "sessions-0-title_template": "{job} – technical",
        "sessions-0-duration_minutes": "60",
        "sessions-0-required": [str(ann.pk)],
        "sessions-0-pool_members": [str(bo.pk), str(cy.pk)],
        "sessions-0-pool_k": "1",
        "sessions-1-title_template": "Values",
        "sessions-1-duration_minutes": "45",
        "sessions-1-required": [str(di.pk)],
        "sessions-1-pool_k": "0",
    }
    data.update(overrides)
    return data


def test_recruiter_creates_a_two_session_plan_with_a_pool_and_trainee(
    recruiter_client, tenant, people
):
    program = TrainingProgram.objects.create(tenant=tenant, name="Coding interview")
    Trainee.objects.create(tenant=tenant, program=program, interviewer=people[3])
    data = post_data(
        people,
        **{"sessions-0-pool_program": str(program.pk), "sessions-0-pool_trainee_required": "on"},
    )
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code == 302, response.content.decode()
    plan = InterviewPlan.objects.get(tenant=tenant)
    sessions = list(plan.sessions.all())
    assert [s.duration_minutes for s in sessions] == [60, 45]
    pool = sessions[0].pools.get()
    assert pool.k == 1 and set(pool.members.all()) == {people[1], people[2]}
    assert pool.program == program and pool.trainee_required
    assert list(sessions[1].required.all()) == [people[3]]
    assert plan.scorecard_questions == ["Problem solving", "Communication"]
    listing = recruiter_client.get(reverse("plan_list")).content.decode()
    assert "Onsite" in listing and "1 of Bo Kim, Cy Diaz" in listing
    assert "a trainee from <strong>Coding interview</strong> in every interview" in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"sessions-0-pool_k": "3"},
            "The pool has 2 people (besides the required ones) but 3 are asked for.",
        ),
        ({"sessions-0-duration_minutes": "-30"}, "A session lasts at least 5 minutes."),
        (
            {"sessions-1-required": [], "sessions-1-pool_k": "0"},
            "A session needs at least one interviewer.",
        ),
        ({"location_kind": "office"}, "Give the address."),
        (
            {"sessions-0-pool_trainee_required": "on"},
            "Choose the training program whose trainees must come, or untick this.",
        ),
        ({"sessions-0-pool_program": ""}, None),
    ],
)
def test_invalid_plans_show_the_reason_beside_the_field(
    recruiter_client, tenant, people, overrides, message
):
    response = recruiter_client.post(reverse("plan_new"), post_data(people, **overrides))
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InterviewPlan.objects.exists()


class _Browser(HTMLParser):
    """What a browser would submit from a page's form, as rendered (defaults included)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None
        self._template = False  # inside <template>: not part of the form until used

    def _put(self, name, value):
        if not self._template:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._template = True
        elif tag == "select" and "multiple" in a:
            self._select = [a.get("name"), None, None, "multiple"]
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._put(a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select":
            self._select = [a.get("name"), None, None]  # name, first option, selected option
        elif tag == "option" and self._select and len(self._select) == 4:
            if "selected" in a:  # a multiple select sends what is chosen, nothing else
                self._put(self._select[0], a.get("value", ""))
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._select[1] = value if self._select[1] is None else self._select[1]
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._put(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._template = False
        elif tag == "select" and self._select and len(self._select) == 4:
            self._select = None
        elif tag == "select" and self._select:
            name, first, selected = self._select
            self._put(name, selected if selected is not None else first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def test_a_plan_of_required_interviewers_only_is_saved_from_the_form_as_rendered(
    recruiter_client, tenant, people
):
    """The recruiter leaves the pool alone (its "how many" shows 1) and ticks Ann."""
    browser = _Browser()
    html = recruiter_client.get(reverse("plan_new")).content.decode()
    # The pool's legend says what a pool does; its people list is just "Pool members".
    assert "Convene picks the least busy members" in html and ">Pool members<" in html
    browser.feed(html)
    data = {name: vals if len(vals) > 1 else vals[0] for name, vals in browser.data.items()}
    assert data["sessions-0-pool_k"] == "1"
    data.pop("csrfmiddlewaretoken", None)
    data.update(
        {
            "name": "Screen",
            "sessions-0-title_template": "{job} screen",
            "sessions-0-required": [str(people[0].pk)],
        }
    )
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code == 302, response.content.decode()
    session = InterviewPlan.objects.get(tenant=tenant).sessions.get()
    assert list(session.required.all()) == [people[0]]
    assert not session.pools.exists()


def test_an_empty_plan_is_refused(recruiter_client, people):
    data = post_data(people)
    data.update({"sessions-TOTAL_FORMS": "1"})
    for key in [k for k in data if k.startswith("sessions-0-")]:
        data.pop(key)
    data["sessions-0-title_template"] = "{job} interview"
    data["sessions-0-duration_minutes"] = "60"
    data["sessions-0-pool_k"] = "1"
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code == 200
    assert "A plan needs at least one session." in response.content.decode()


def test_add_a_session_keeps_what_was_typed(recruiter_client, people):
    response = recruiter_client.post(
        reverse("plan_new"), {**post_data(people, name="Keep me"), "add_session": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Keep me"' in html
    assert "Session <span data-session-number>3</span>" in html
    # The new session is empty, and nothing typed so far is checked yet: no error shown.
    assert "field-error" not in html and "form-errors" not in html
    assert not InterviewPlan.objects.exists()


def test_a_second_plan_for_the_same_scope_is_refused(recruiter_client, people, tenant):
    recruiter_client.post(reverse("plan_new"), post_data(people))
    response = recruiter_client.post(reverse("plan_new"), post_data(people, name="Other"))
    assert "already covers this job and stage" in response.content.decode()
    assert InterviewPlan.objects.count() == 1


def test_editing_replaces_sessions(recruiter_client, people, tenant):
    recruiter_client.post(reverse("plan_new"), post_data(people))
    plan = InterviewPlan.objects.get()
    page = recruiter_client.get(reverse("plan_edit", args=[plan.pk])).content.decode()
    assert "{job} – technical" in page
    data = post_data(people, **{"sessions-1-DELETE": "on", "sessions-INITIAL_FORMS": "2"})
    assert recruiter_client.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 302
    assert plan.sessions.count() == 1


def test_most_specific_plan_applies(tenant):
    ats = f.connection(tenant)
    job = f.job(ats, "Backend")
    app = f.application(ats, job_=job, status="SECOND_INTERVIEW")
    default = InterviewPlan.objects.create(tenant=tenant, name="Default")
    assert plan_for(app) == default
    stage = InterviewPlan.objects.create(
        tenant=tenant, name="Stage", stage_status="SECOND_INTERVIEW"
    )
    assert plan_for(app) == stage
    job_plan = InterviewPlan.objects.create(tenant=tenant, name="Job", job=job)
    assert plan_for(app) == job_plan
    both = InterviewPlan.objects.create(
        tenant=tenant, name="Both", job=job, stage_status="SECOND_INTERVIEW"
    )
    assert plan_for(app) == both
    other_job = f.job(ats, "Design")
    InterviewPlan.objects.create(tenant=tenant, name="Other", job=other_job)
    assert plan_for(app) == both


def test_plans_of_another_tenant_are_404(outsider_client, tenant):
    plan = InterviewPlan.objects.create(tenant=tenant, name="Secret")
    assert outsider_client.get(reverse("plan_edit", args=[plan.pk])).status_code == 404
    assert outsider_client.post(reverse("plan_delete", args=[plan.pk])).status_code == 404
    assert InterviewPlan.objects.filter(pk=plan.pk).exists()


def test_a_session_can_take_people_from_two_pools(recruiter_client, tenant, people):
    """E.g. one of two engineers and one of two designers, each pool with its own name."""
    ann, bo, cy, di = people
    eve = f.interviewer(tenant, "Eve Park")
    data = post_data(
        people,
        **{
            "sessions-0-pool_name": "Engineers",
            "sessions-0-pool2_name": "Designers",
            "sessions-0-pool2_members": [str(di.pk), str(eve.pk)],
            "sessions-0-pool2_k": "1",
            "sessions-1-required": [str(ann.pk)],
        },
    )
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code == 302, response.content.decode()
    session = InterviewPlan.objects.get().sessions.first()
    pools = {p.name: (p.k, set(p.members.all())) for p in session.pools.all()}
    assert pools == {"Engineers": (1, {bo, cy}), "Designers": (1, {di, eve})}
    listing = recruiter_client.get(reverse("plan_list")).content.decode()
    assert "1 of Bo Kim, Cy Diaz" in listing and "1 of Di Roy, Eve Park" in listing


def test_one_person_in_two_pools_of_a_session_is_refused(recruiter_client, people):
    _ann, bo, _cy, di = people
    data = post_data(
        people,
        **{"sessions-0-pool2_members": [str(bo.pk), str(di.pk)], "sessions-0-pool2_k": "1"},
    )
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code == 200
    assert "Bo Kim is already in another pool of this session" in response.content.decode()
    assert not InterviewPlan.objects.exists()


def test_editing_keeps_every_pool_a_plan_has(recruiter_client, tenant, people):
    """A plan given three pools (say, in the admin) shows all three and loses none on save."""
    from scheduling.models import PlanPool, PlanSession

    plan = InterviewPlan.objects.create(tenant=tenant, name="Panel")
    session = PlanSession.objects.create(plan=plan, title_template="Panel", duration_minutes=60)
    for name, person in zip(("A", "B", "C"), people[:3], strict=True):
        PlanPool.objects.create(session=session, name=name, k=1).members.set([person])
    page = recruiter_client.get(reverse("plan_edit", args=[plan.pk]))
    html = page.content.decode()
    assert "Pool 3" in html and 'value="C"' in html
    form = page.context["formset"].forms[0]
    data = {
        "name": "Panel",
        "order": "fixed",
        "break_minutes": "0",
        "location_kind": "video",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "minimum_notice_hours": "24",
        "horizon_days": "14",
        "slot_step_minutes": "15",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "1",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "8",
    }
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list):
            value = [str(v.pk) for v in value]
        elif hasattr(value, "pk"):
            value = str(value.pk)
        if value not in (None, ""):
            data[f"sessions-0-{name}"] = value
    response = recruiter_client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()
    saved = plan.sessions.get()
    assert sorted((p.name, p.members.get()) for p in saved.pools.all()) == [
        ("A", people[0]),
        ("B", people[1]),
        ("C", people[2]),
    ]


def test_a_plan_sets_its_own_changes_by_the_candidate_or_follows_the_team(
    recruiter_client, people, tenant
):
    page = recruiter_client.get(reverse("plan_new")).content.decode()
    assert 'placeholder="24 (the team’s)"' in page and 'placeholder="2 (the team’s)"' in page
    assert "As the team’s (optional)" in page
    assert "Leave empty for the team’s: 2. 0: they cannot move it online, only cancel." in page
    data = post_data(
        people,
        candidate_change_cutoff_hours="48",
        candidate_reschedule_limit="1",
        cancel_reason_required="true",
    )
    assert recruiter_client.post(reverse("plan_new"), data).status_code == 302
    plan = InterviewPlan.objects.get(tenant=tenant)
    assert (
        plan.candidate_change_cutoff_hours,
        plan.candidate_reschedule_limit,
        plan.cancel_reason_required,
    ) == (48, 1, True)
    data = post_data(people, candidate_reschedule_limit="", cancel_reason_required="")
    assert recruiter_client.post(reverse("plan_edit", args=[plan.pk]), data).status_code == 302
    plan.refresh_from_db()
    assert (plan.candidate_reschedule_limit, plan.cancel_reason_required) == (None, None)
    too_many = post_data(people, candidate_reschedule_limit="99")
    refused = recruiter_client.post(reverse("plan_edit", args=[plan.pk]), too_many)
    assert "less than or equal to 20" in refused.content.decode()


def test_a_person_posted_as_a_number_is_no_one_not_a_crash(recruiter_client, people):
    # Found by tests/test_form_fuzzing.py: "0" is no interviewer's id (they are UUIDs).
    data = {**post_data(people), "location_kind": "video", "sessions-0-required": "0"}
    response = recruiter_client.post(reverse("plan_new"), data)
    assert response.status_code in (200, 302, 400)


def test_a_number_where_a_person_is_chosen_is_refused_not_a_500(recruiter_client, people):
    # Found by tests/test_form_fuzzing.py: "0" is all digits, and no interviewer's id.
    response = recruiter_client.post(
        reverse("plan_new"), post_data(people, **{"sessions-0-pool2_members": "0"})
    )
    assert response.status_code in (200, 302)
