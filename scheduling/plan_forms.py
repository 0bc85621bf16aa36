"""Forms for interview plans: the plan, and its sessions as a formset (each session with its
required interviewers and one pool to choose from)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory

from .models import Interviewer, InterviewPlan
from .unified.records import APPLICATION_STATUSES


class PlanForm(forms.ModelForm):
    stage_status = forms.ChoiceField(required=False, label="Stage")
    scorecard = forms.CharField(
        required=False,
        label="Scorecard questions",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One question per line; interviewers rate each and comment.",
    )

    class Meta:
        model = InterviewPlan
        fields = [
            "name",
            "job",
            "stage_status",
            "order",
            "break_minutes",
            "location_kind",
            "location_detail",
            "agenda",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "horizon_days",
            "slot_step_minutes",
            "show_interviewer_names",
        ]
        labels = {
            "job": "Job",
            "order": "Sessions run",
            "break_minutes": "Break between sessions (minutes)",
            "location_kind": "Where",
            "location_detail": "Link, address or number",
            "buffer_before_minutes": "Free time before (minutes)",
            "buffer_after_minutes": "Free time after (minutes)",
            "minimum_notice_hours": "Minimum notice (hours)",
            "horizon_days": "Bookable up to (days ahead)",
            "slot_step_minutes": "Start times every (minutes)",
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["job"].queryset = self.fields["job"].queryset.filter(
            tenant=tenant, removed_at__isnull=True
        )
        self.fields["job"].empty_label = "Every job"
        self.fields["stage_status"].choices = [("", "Every stage")] + [
            (s, s.replace("_", " ").title()) for s in APPLICATION_STATUSES
        ]
        self.fields["scorecard"].initial = "\n".join(self.instance.scorecard_questions or [])
        self.fields["slot_step_minutes"].validators.append(MinValueValidator(5))
        self.fields["slot_step_minutes"].validators.append(MaxValueValidator(120))
        self.fields["horizon_days"].validators.append(MinValueValidator(1))

    def clean(self):
        cleaned = super().clean()
        kind, detail = cleaned.get("location_kind"), (cleaned.get("location_detail") or "").strip()
        if kind in (InterviewPlan.Location.LINK, InterviewPlan.Location.OFFICE) and not detail:
            what = "the video link" if kind == InterviewPlan.Location.LINK else "the address"
            self.add_error("location_detail", f"Give {what}.")
        if kind == InterviewPlan.Location.LINK and detail and not detail.startswith("https://"):
            self.add_error("location_detail", "A video link starts with https://.")
        duplicates = InterviewPlan.objects.filter(
            tenant=self.tenant,
            job=cleaned.get("job"),
            stage_status=cleaned.get("stage_status", ""),
        ).exclude(pk=self.instance.pk)
        if duplicates.exists():
            self.add_error(
                "stage_status",
                f"“{duplicates.first()}” already covers this job and stage; edit that plan.",
            )
        return cleaned

    def save(self, commit=True):
        plan = super().save(commit=False)
        plan.tenant = self.tenant
        plan.scorecard_questions = [
            line.strip() for line in self.cleaned_data.get("scorecard", "").splitlines()
        ]
        plan.scorecard_questions = [q for q in plan.scorecard_questions if q]
        if commit:
            plan.save()
        return plan


class SessionForm(forms.Form):
    title_template = forms.CharField(
        label="Title",
        max_length=200,
        initial="{job} interview",
        help_text="{job}, {candidate} and {stage} are filled in.",
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        initial=60,
        validators=[
            MinValueValidator(5, "A session lasts at least 5 minutes."),
            MaxValueValidator(480, "A session lasts at most 8 hours."),
        ],
    )
    required = forms.ModelMultipleChoiceField(
        queryset=Interviewer.objects.none(),
        required=False,
        label="Required interviewers (all attend)",
        widget=forms.CheckboxSelectMultiple,
    )
    pool_members = forms.ModelMultipleChoiceField(
        queryset=Interviewer.objects.none(),
        required=False,
        label="Pool (Convene picks from these)",
        widget=forms.CheckboxSelectMultiple,
    )
    pool_k = forms.IntegerField(label="How many from the pool", min_value=0, initial=1)
    trainee = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(),
        required=False,
        label="Trainee who shadows the pool",
        empty_label="No trainee",
    )

    def __init__(self, *args, interviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("required", "pool_members", "trainee"):
            self.fields[name].queryset = interviewers

    def clean(self):
        cleaned = super().clean()
        required = set(cleaned.get("required") or [])
        members = set(cleaned.get("pool_members") or [])
        k = cleaned.get("pool_k") or 0
        if members and k == 0:
            self.add_error("pool_k", "Choose how many interviewers to take from the pool.")
        if k > len(members - required):
            self.add_error(
                "pool_k",
                f"The pool has {len(members - required)} "
                f"{'person' if len(members - required) == 1 else 'people'} "
                f"(besides the required ones) but {k} are asked for.",
            )
        if not required and not members:
            self.add_error("required", "A session needs at least one interviewer.")
        trainee = cleaned.get("trainee")
        if trainee and not members:
            self.add_error("trainee", "A trainee shadows a pool: add pool members first.")
        if trainee and trainee in required | members:
            self.add_error("trainee", "The trainee cannot also interview in this session.")
        return cleaned


class BaseSessionFormSet(BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if f.has_changed() or f.initial
            if not (self.can_delete and self._should_delete_form(f))
        ]
        if not kept:
            raise forms.ValidationError("A plan needs at least one session.")


SessionFormSet = formset_factory(
    SessionForm, formset=BaseSessionFormSet, extra=1, can_delete=True, max_num=8
)


def session_initial(plan):
    """The formset's initial data from a saved plan."""
    initial = []
    for session in plan.sessions.prefetch_related("required", "pools__members"):
        pool = next(iter(session.pools.all()), None)
        initial.append(
            {
                "title_template": session.title_template,
                "duration_minutes": session.duration_minutes,
                "required": list(session.required.all()),
                "pool_members": list(pool.members.all()) if pool else [],
                "pool_k": pool.k if pool else 0,
                "trainee": pool.trainee if pool else None,
            }
        )
    return initial
