import datetime as dt

from django import forms
from django.utils import timezone

from scheduling import plans
from scheduling.lib import outside
from scheduling.models import Interviewer, InterviewPlan

from .models import Job
from .pipeline import NEEDS_SCHEDULING, STATE_LABELS

SORTS = {
    "candidate": ("candidate__name", "Candidate"),
    "job": ("job__name", "Job"),
    "stage": ("status", "Stage"),
    "days": ("stage_entered_at", "Days in stage"),
    "activity": ("-remote_updated_at", "Last activity"),
}


class PipelineFilterForm(forms.Form):
    """The dashboard's filters. Everything lives in the query string, so a filtered view
    can be bookmarked and shared."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    job = forms.ModelChoiceField(
        queryset=Job.objects.none(), required=False, empty_label="All jobs"
    )
    stage = forms.ChoiceField(required=False)
    recruiter = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(), required=False, empty_label="All recruiters"
    )
    state = forms.ChoiceField(required=False)
    sort = forms.CharField(required=False)

    def __init__(self, data, *, tenant):
        super().__init__(data)
        self.fields["job"].queryset = Job.objects.filter(
            tenant=tenant, removed_at__isnull=True
        ).only("id", "name")
        self.fields["recruiter"].queryset = (
            Interviewer.objects.filter(tenant=tenant, recruiting_jobs__isnull=False)
            .distinct()
            .only("id", "name")
        )
        # The ATS's own stage names, in its pipeline's order.
        names = list(dict.fromkeys(name for _status, name in plans.ats_stages(tenant)))
        self.fields["stage"].choices = [("", "All stages")] + [(n, n) for n in names]
        self.fields["state"].choices = [
            (NEEDS_SCHEDULING, STATE_LABELS[NEEDS_SCHEDULING]),
            ("any", "Any state"),
        ] + [(k, v) for k, v in STATE_LABELS.items() if k and k != NEEDS_SCHEDULING]

    def filters(self):
        """The cleaned filters; invalid values fall back to the default for that field."""
        if self.is_valid():
            cleaned = dict(self.cleaned_data)
        else:
            cleaned = {
                name: self.cleaned_data.get(name) if name not in self.errors else None
                for name in self.fields
            }
        cleaned["state"] = cleaned.get("state") or NEEDS_SCHEDULING
        sort = (cleaned.get("sort") or "").strip()
        cleaned["sort"] = sort if sort.lstrip("-") in SORTS else "days"
        return cleaned


class OverrideForm(forms.Form):
    """Book outside the offered times: a start on the recruiter's clock and a reason."""

    start = forms.DateTimeField(
        label="Start",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    reason = forms.CharField(
        label="Why this time, although Convene does not offer it",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # An interview outside the offered times is still an interview of this hiring round.
    WITHIN = dt.timedelta(days=2 * 365)

    def clean_start(self):
        start = self.cleaned_data["start"]  # aware: typed on the recruiter's clock
        if not outside.plausible(start) or abs(start - timezone.now()) > self.WITHIN:
            raise forms.ValidationError("Choose a time within two years of today.")
        return start


class SendLinksForm(forms.Form):
    """What a batch of booking links offers: the plan, the days (in the candidate's zone)
    and how long the link works."""

    plan = forms.ModelChoiceField(
        queryset=InterviewPlan.objects.none(),
        required=False,
        empty_label="The plan for each application’s job and stage",
        label="Interview plan",
    )
    window_start = forms.DateField(
        label="First day offered", widget=forms.DateInput(attrs={"type": "date"})
    )
    window_end = forms.DateField(
        label="Last day offered", widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_days = forms.IntegerField(label="The link works for (days)", min_value=1, max_value=60)

    MAX_DAYS = 31
    FURTHEST = dt.timedelta(days=365)

    def __init__(self, data=None, *, tenant, today, initial=None):
        super().__init__(data, initial=initial)
        self.today = today
        self.fields["plan"].queryset = InterviewPlan.objects.filter(tenant=tenant)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if start and start < self.today:
            self.add_error("window_start", "The first day has passed.")
        elif start and start > self.today + self.FURTHEST:
            self.add_error("window_start", "The first day is more than a year away.")
        if start and end:
            if end < start:
                self.add_error("window_end", "The last day is before the first.")
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("window_end", f"Offer at most {self.MAX_DAYS} days.")
        return cleaned


class ReportFilterForm(forms.Form):
    """The reports' question, all in the query string: a period (dates in the viewer's
    zone, both included) and optionally a job, a recruiter or a plan."""

    MAX_DAYS = 731
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    job = forms.ModelChoiceField(
        queryset=Job.objects.none(), required=False, empty_label="All jobs"
    )
    recruiter = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(), required=False, empty_label="All recruiters"
    )
    plan = forms.ModelChoiceField(
        queryset=InterviewPlan.objects.none(), required=False, empty_label="All plans"
    )

    def __init__(self, data, *, tenant, today):
        data = data.copy()
        # No period asked for: the last 90 days, today included.
        if not data.get("start") and not data.get("end"):
            data["start"] = (today - dt.timedelta(days=89)).isoformat()
            data["end"] = today.isoformat()
        super().__init__(data)
        self.fields["job"].queryset = Job.objects.filter(
            tenant=tenant, removed_at__isnull=True
        ).only("id", "name")
        self.fields["recruiter"].queryset = (
            Interviewer.objects.filter(tenant=tenant, recruiting_jobs__isnull=False)
            .distinct()
            .only("id", "name")
        )
        self.fields["plan"].queryset = InterviewPlan.objects.filter(tenant=tenant).only(
            "id", "name"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end of the period comes before its start.")
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("start", "Choose a period of two years or less.")
        return cleaned


# The feed's "what happened" filter: groups of its lines' kinds, in words.
FEED_KINDS = {
    "sent": ("Sent", ("sent_link", "sent_request")),
    "booked": ("Booked", ("booked",)),
    "waiting": ("Reminders and waiting", ("waiting",)),
    "returned": ("Back with a recruiter", ("returned",)),
    "queued": ("Queued to send", ("queued",)),
    "skipped": ("Not sent", ("skipped",)),
    "held": ("Held by the daily cap", ("held",)),
    "entered": ("Entered a stage", ("entered",)),
    "paused": ("Paused or resumed", ("paused", "resumed")),
}


class AutopilotFeedForm(forms.Form):
    """The autopilot feed's filters (in the query string, like the pipeline's)."""

    plan = forms.ModelChoiceField(
        queryset=InterviewPlan.objects.none(), required=False, empty_label="All plans"
    )
    kind = forms.ChoiceField(
        required=False,
        label="What happened",
        choices=[("", "Everything")] + [(k, label) for k, (label, _kinds) in FEED_KINDS.items()],
    )
    action = forms.BooleanField(required=False, label="Only what needs you")

    def __init__(self, data, *, tenant):
        super().__init__(data)
        self.fields["plan"].queryset = InterviewPlan.objects.filter(tenant=tenant).order_by("name")

    def filters(self):
        """The cleaned filters; an invalid value is as if not given."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}
