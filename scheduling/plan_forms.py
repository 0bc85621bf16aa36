"""Forms for interview plans: the plan, and its sessions as a formset (each session with its
required interviewers and its pools, k of n, each with trainees from a training program)."""

import dataclasses
import uuid

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Max
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import ErrorDict, ErrorList

from . import plans, where
from .lib import durations, labels, outside
from .models import WEEKDAYS, DebriefPanel, Interviewer, InterviewPlan, Tenant, TrainingProgram
from .models.tenancy import check_candidate_hours
from .unified.records import APPLICATION_STATUSES


def stage_value(status, name=""):
    """The stage select's value: "STATUS" (every ATS stage of that kind) or "STATUS|Name"."""
    return f"{status}|{name}" if status and name else status


def parse_stage(value):
    """(status, name) from a stage select's value; ("", "") for every stage."""
    status, _, name = (value or "").partition("|")
    return status.strip(), name.strip()


def stage_choices(tenant, current=("", "")):
    """The stage select: the ATS's own stages by name, grouped by Unified's normalized
    status (each group also offers every stage of its kind); Unified's statuses alone
    while no ATS stage is known."""
    groups = {}
    for status, name in plans.ats_stages(tenant):
        groups.setdefault(status, []).append(name)
    status, name = current
    if status and name and name.casefold() not in {n.casefold() for n in groups.get(status, [])}:
        groups.setdefault(status, []).append(name)  # a plan's stage the ATS no longer lists
    if not groups:
        statuses = list(dict.fromkeys([*tenant.interview_statuses, *APPLICATION_STATUSES]))
        return [("", "Every stage")] + [(s, labels.enum_label(s)) for s in statuses]
    choices = [("", "Every stage")]
    for status, names in groups.items():
        kind = labels.enum_label(status).lower()
        options = [(stage_value(status, n), n) for n in names]
        if len(names) > 1 or (status == current[0] and not current[1]):
            options.append((status, f"Any {kind} stage"))
        choices.append((f"{labels.enum_label(status)} (in Unified’s terms)", options))
    return choices


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


# The waits offered before autopilot sends (minutes); a plan's own other value is kept.
AUTOPILOT_DELAYS = [
    (0, "No wait"),
    (15, "15 minutes"),
    (30, "30 minutes"),
    (60, "1 hour"),
    (120, "2 hours"),
    (240, "4 hours"),
    (24 * 60, "1 day"),
]


class PlanForm(forms.ModelForm):
    stage_status = forms.ChoiceField(required=False, label="Stage")
    autopilot_delay_minutes = forms.TypedChoiceField(
        coerce=int,
        choices=AUTOPILOT_DELAYS,
        initial=60,
        label="Wait before sending",
        help_text="Time to undo a move made by mistake in the ATS: nothing goes out if the "
        "application leaves the stage before then. The queue shows it at once.",
    )
    own_candidate_hours = forms.BooleanField(
        required=False, label="Candidate hours of its own, instead of the team’s"
    )
    candidate_days = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Candidates’ days",
    )
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
            "location_notes",
            "agenda",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "horizon_days",
            "slot_step_minutes",
            "show_interviewer_names",
            "candidate_reminders",
            "candidate_change_cutoff_hours",
            "candidate_reschedule_limit",
            "cancel_reason_required",
            "debrief",
            "debrief_minutes",
            "debrief_within_days",
            "debrief_panel",
            "debrief_people",
            "debrief_auto_book",
            "autopilot",
            "autopilot_delay_minutes",
            "autopilot_reasonable_hours",
            "candidate_hours_start",
            "candidate_hours_end",
            "candidate_days",
        ]
        widgets = {
            "candidate_hours_start": _time_input(),
            "candidate_hours_end": _time_input(),
            "location_notes": forms.Textarea(attrs={"rows": 2}),
            "debrief_panel": forms.RadioSelect,
            "autopilot": forms.RadioSelect,
        }
        help_texts = {
            "location_detail": "The fixed link (https://…), the office’s address, or the "
            "number candidates call.",
            "location_notes": "What the candidate should know: the floor, whom to ask for, "
            "parking. Shown with the address or the call.",
        }
        labels = {
            "candidate_hours_start": "Candidates’ hours from",
            "candidate_hours_end": "until",
            "job": "Job",
            "order": "Sessions run",
            "break_minutes": "Break between sessions (minutes)",
            "location_kind": "Where",
            "location_detail": "Link, address or number",
            "agenda": "Notes for the interviewers",
            "location_notes": "Arrival notes",
            "buffer_before_minutes": "Free time before (minutes)",
            "buffer_after_minutes": "Free time after (minutes)",
            "minimum_notice_hours": "Minimum notice (hours)",
            "horizon_days": "Bookable up to (days ahead)",
            "slot_step_minutes": "Start times every (minutes)",
            "debrief": "Hold a debrief after the interview",
            "debrief_minutes": "Debrief length (minutes)",
            "debrief_within_days": "Within (working days after the last session)",
            "debrief_panel": "Who is asked",
            "debrief_people": "These people",
            "debrief_auto_book": "Book it without asking me",
            "autopilot": "When an application enters this stage",
            "autopilot_reasonable_hours": "Only send between 08:00 and 20:00 on the "
            "candidate’s clock",
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["job"].queryset = self.fields["job"].queryset.filter(
            tenant=tenant, removed_at__isnull=True
        )
        self.fields["job"].empty_label = "Every job"
        current = (self.instance.stage_status, self.instance.stage_name)
        self.fields["stage_status"].choices = stage_choices(tenant, current)
        self.initial["stage_status"] = stage_value(*current)
        self.fields["stage_status"].help_text = (
            "As your ATS names its stages. Convene matches the application’s stage by this "
            "name; “Any … stage” matches every stage of that kind."
        )
        self.fields["agenda"].widget.attrs["rows"] = 3
        self.fields["agenda"].help_text = (
            "In the interviewers’ calendar event and their reminder before each session: what "
            "to cover, where the scorecard is. Never shown to the candidate."
        )
        times = durations.list_words(tenant.candidate_reminder_minutes)
        self.fields["candidate_reminders"].help_text = (
            f"The team’s reminders: {times} before (Settings → Team)."
            if times
            else "The team sends candidates no reminders now (Settings → Team)."
        )
        # Changes by the candidate: empty follows the team (said in the help texts).
        cutoff, limit = tenant.candidate_change_cutoff_hours, tenant.candidate_reschedule_limit
        cutoff_field = self.fields["candidate_change_cutoff_hours"]
        cutoff_field.label = "Candidates may move or cancel until (hours before)"
        cutoff_field.help_text = (
            f"Leave empty for the team’s: {cutoff} hour{'s' if cutoff != 1 else ''} "
            "(Settings → Team)."
        )
        cutoff_field.widget.attrs["placeholder"] = f"{cutoff} (the team’s)"
        limit_field = self.fields["candidate_reschedule_limit"]
        limit_field.label = "Candidates may move it online (times)"
        limit_field.validators.append(MaxValueValidator(Tenant.RESCHEDULE_LIMIT_MAX))
        limit_field.help_text = (
            f"Leave empty for the team’s: {limit}. 0: they cannot move it online, only cancel. "
            "Past the limit their page asks them to write to the recruiter."
        )
        limit_field.widget.attrs["placeholder"] = f"{limit} (the team’s)"
        team_required = "required" if tenant.cancel_reason_required else "optional"
        self.fields["cancel_reason_required"] = forms.TypedChoiceField(
            label="The candidate’s reason to cancel",
            choices=[
                ("", f"As the team’s ({team_required})"),
                ("true", "Required"),
                ("false", "Optional"),
            ],
            coerce=lambda v: {"true": True, "false": False}.get(v),
            empty_value=None,
            required=False,
            initial={True: "true", False: "false"}.get(self.instance.cancel_reason_required, ""),
        )
        # A form that leaves the debrief's settings out (an older page, an API client) keeps
        # the plan's: blank means as it is.
        for name in ("debrief_minutes", "debrief_within_days", "debrief_panel"):
            self.fields[name].required = False
        people = self.fields["debrief_people"]
        people.widget = PeopleSelect()  # before the queryset, which gives the widget its choices
        people.queryset = Interviewer.objects.filter(tenant=tenant, active=True).order_by("name")
        self.fields["debrief"].help_text = ""  # the section's introduction says it
        people.help_text = "Only when “These people” is chosen."
        self.fields[
            "debrief_within_days"
        ].help_text = "Monday to Friday, on the team’s clock; 0 means the day of the interview."
        self.fields["debrief_within_days"].validators.append(MaxValueValidator(10))
        self.fields["debrief_minutes"].validators += [
            MinValueValidator(10),
            MaxValueValidator(240),
        ]
        self.fields[
            "debrief_panel"
        ].help_text = "The hiring manager is the one the ATS names for the job."
        delay = self.fields["autopilot_delay_minutes"]
        kept = self.instance.autopilot_delay_minutes
        if kept not in dict(AUTOPILOT_DELAYS):
            delay.choices = sorted([*AUTOPILOT_DELAYS, (kept, f"{kept} minutes")])
        # A form that leaves autopilot out (an older page, an API client) keeps the plan's.
        for name in ("autopilot", "autopilot_delay_minutes"):
            self.fields[name].required = False
        self.fields["autopilot_reasonable_hours"].help_text = (
            "When Convene knows their time zone (from their booking page, a recruiter, or "
            "their address in the ATS); otherwise it sends after the wait."
        )
        self.fields["scorecard"].initial = "\n".join(self.instance.scorecard_questions or [])
        self.fields["slot_step_minutes"].validators.append(MinValueValidator(5))
        self.fields["slot_step_minutes"].validators.append(MaxValueValidator(120))
        self.fields["horizon_days"].validators.append(MinValueValidator(1))
        # Candidate hours: the team's unless the plan has its own (shown as the team's).
        start, end, days = (
            self.instance.candidate_hours()
            if self.instance.tenant_id
            else (tenant.candidate_hours_start, tenant.candidate_hours_end, tenant.candidate_days)
        )
        self.team_candidate_hours = tenant.candidate_hours_text
        self.fields["own_candidate_hours"].initial = self.instance.has_own_candidate_hours
        self.fields[
            "own_candidate_hours"
        ].help_text = (
            f"The team’s: {tenant.candidate_hours_text}, on the candidate’s clock (Settings)."
        )
        # A plan following the team shows the team's hours, ready to be changed.
        self.initial["candidate_hours_start"] = start
        self.initial["candidate_hours_end"] = end
        self.initial["candidate_days"] = list(days)

    def clean(self):
        cleaned = super().clean()
        kind, detail = cleaned.get("location_kind"), (cleaned.get("location_detail") or "").strip()
        needs = {
            InterviewPlan.Location.LINK: "the video link",
            InterviewPlan.Location.OFFICE: "the address",
            InterviewPlan.Location.CALL_US: "the number candidates call",
        }
        if kind in needs and not detail:
            self.add_error("location_detail", f"Give {needs[kind]}.")
        if (
            kind == InterviewPlan.Location.LINK
            and detail
            and not (detail.startswith("https://") and outside.is_web_url(detail))
        ):
            self.add_error("location_detail", "A video link starts with https://.")
        if cleaned.get("own_candidate_hours"):
            for field in ("candidate_hours_start", "candidate_hours_end"):
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, "Give a time, or use the team’s hours.")
            errors = check_candidate_hours(
                cleaned.get("candidate_hours_start"),
                cleaned.get("candidate_hours_end"),
                cleaned.get("candidate_days"),
            )
            for field, error in errors.items():
                if field not in self.errors:
                    self.add_error(field, error)
        else:
            cleaned["candidate_hours_start"] = cleaned["candidate_hours_end"] = None
            cleaned["candidate_days"] = None
        for name in ("debrief_minutes", "debrief_within_days", "debrief_panel"):
            if cleaned.get(name) in (None, "") and name not in self.errors:
                kept = getattr(self.instance, name)
                cleaned[name] = (
                    kept
                    if kept not in (None, "")
                    else (InterviewPlan._meta.get_field(name).get_default())
                )
        if (
            cleaned.get("debrief")
            and cleaned.get("debrief_panel") == DebriefPanel.NAMED
            and not cleaned.get("debrief_people")
        ):
            self.add_error("debrief_people", "Choose who is asked to the debrief.")
        for name in ("autopilot", "autopilot_delay_minutes"):
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        status, name = parse_stage(cleaned.get("stage_status", ""))
        # The model keeps Unified's status and the ATS's name apart.
        cleaned["stage_status"], cleaned["stage_name"] = status, name
        duplicates = InterviewPlan.objects.filter(
            tenant=self.tenant,
            job=cleaned.get("job"),
            stage_status=status,
            stage_name=name,
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
        plan.stage_name = self.cleaned_data.get("stage_name", "")
        plan.scorecard_questions = [
            line.strip() for line in self.cleaned_data.get("scorecard", "").splitlines()
        ]
        plan.scorecard_questions = [q for q in plan.scorecard_questions if q]
        if not self.cleaned_data.get("own_candidate_hours"):
            plan.candidate_hours_start = plan.candidate_hours_end = plan.candidate_days = None
        if commit:
            plan.save()
            self.save_m2m()  # the debrief's named panel
        return plan


POOLS_SHOWN = 1  # pool groups on each session's form (more when a saved plan has more)


class PeopleSelect(forms.SelectMultiple):
    """A list of people to pick several from: a compact multiple select, which
    static/js/people-picker.js turns into a search box with the chosen as chips."""

    def __init__(self, attrs=None):
        super().__init__({"data-people-picker": "", "size": 6, **(attrs or {})})


def pool_prefix(index):
    """Field names of the index-th pool: pool_name, pool_members, pool_k, pool_program,
    pool_trainee_required for the first; pool2_name, pool2_members, … for the second; …"""
    return "pool" if index == 0 else f"pool{index + 1}"


def _pool_fields(prefix):
    return (
        f"{prefix}_name",
        f"{prefix}_members",
        f"{prefix}_k",
        f"{prefix}_program",
        f"{prefix}_trainee_required",
    )


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
        label="Required (all attend)",
        widget=PeopleSelect,
    )

    def __init__(self, *args, interviewers=None, programs=None, pools=POOLS_SHOWN, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required"].queryset = interviewers
        self.pool_count = pools
        if programs is None:
            programs = TrainingProgram.objects.none()
        for index in range(pools):
            name, members, k, program, trainee_required = _pool_fields(pool_prefix(index))
            what = "Pool" if index == 0 else f"Pool {index + 1}"
            self.fields[name] = forms.CharField(
                label=f"{what} name (optional)",
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "e.g. Backend engineers"}),
            )
            self.fields[members] = forms.ModelMultipleChoiceField(
                queryset=interviewers,
                required=False,
                label=f"{what} members",
                widget=PeopleSelect,
            )
            self.fields[k] = forms.IntegerField(
                label="How many from it",
                min_value=0,
                initial=1 if index == 0 else None,
                # Without members the pool is simply not used, whatever this says.
                required=False,
            )
            self.fields[program] = forms.ModelChoiceField(
                queryset=programs,
                required=False,
                label="Trainees from program",
                empty_label="None",
                help_text="Convene seats one of the program’s trainees, the least busy: "
                "shadowing beside the interviewers, or leading with one of them shadowing.",
            )
            self.fields[trainee_required] = forms.BooleanField(
                required=False,
                label="Every interview must have a trainee",
                help_text="Otherwise a time no trainee can make is still offered, without one.",
            )

    def pool_groups(self):
        """Bound fields of each pool, for the template: (name, members, k, program,
        trainee required)."""
        return [
            [self[field] for field in _pool_fields(pool_prefix(i))] for i in range(self.pool_count)
        ]

    def pools(self):
        """The cleaned pools that have members: [{"name", "members", "k", "program",
        "trainee_required"}]."""
        found = []
        for index in range(self.pool_count):
            name, members, k, program, trainee_required = _pool_fields(pool_prefix(index))
            chosen = set(self.cleaned_data.get(members) or [])
            if chosen:
                found.append(
                    {
                        "name": (self.cleaned_data.get(name) or "").strip(),
                        "members": chosen,
                        "k": self.cleaned_data.get(k) or 0,
                        "program": self.cleaned_data.get(program),
                        "trainee_required": bool(
                            self.cleaned_data.get(program)
                            and self.cleaned_data.get(trainee_required)
                        ),
                    }
                )
        return found

    def clean(self):
        cleaned = super().clean()
        required = set(cleaned.get("required") or [])
        seated = set(required)
        any_pool = False
        for index in range(self.pool_count):
            _name, members_field, k_field, program_field, required_field = _pool_fields(
                pool_prefix(index)
            )
            members = set(cleaned.get(members_field) or [])
            k = cleaned.get(k_field) or 0
            any_pool = any_pool or bool(members)
            if members and k == 0:
                self.add_error(k_field, "Choose how many interviewers to take from the pool.")
            if members and k > len(members - required):
                self.add_error(
                    k_field,
                    f"The pool has {len(members - required)} "
                    f"{'person' if len(members - required) == 1 else 'people'} "
                    f"(besides the required ones) but {k} are asked for.",
                )
            shared = sorted(str(p) for p in (members - required) & (seated - required))
            if shared:
                self.add_error(
                    members_field,
                    f"{', '.join(shared)} {'is' if len(shared) == 1 else 'are'} already in "
                    "another pool of this session: a person fills one seat.",
                )
            program = cleaned.get(program_field)
            if program and not members:
                self.add_error(
                    program_field,
                    "Trainees sit beside a pool’s interviewers: add pool members first.",
                )
            if cleaned.get(required_field) and not program:
                self.add_error(
                    required_field,
                    "Choose the training program whose trainees must come, or untick this.",
                )
            if program and cleaned.get(required_field) and members:
                learning = [
                    t for t in program.trainees.select_related("interviewer") if t.is_seatable
                ]
                if not learning:
                    self.add_error(
                        required_field,
                        f"“{program}” has no trainee who can be seated now, so no time would "
                        "be offered. Enroll a trainee (Settings → Training) or untick this.",
                    )
            seated |= members
        if not required and not any_pool:
            self.add_error("required", "A session needs at least one interviewer.")
        return cleaned


class BaseSessionFormSet(BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this session"

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


MAX_POOLS = 4


def pools_needed(plan, data=None):
    """How many pool groups each session shows: those the saved plan's sessions have, and
    those a posted form filled in (never fewer than POOLS_SHOWN)."""
    most = 0
    if plan.pk is not None and not plan._state.adding:
        counts = plan.sessions.annotate(pools_count=Count("pools"))
        most = counts.aggregate(most=Max("pools_count"))["most"] or 0
    for key in data or ():
        field = key.rsplit("-", 1)[-1]
        if field.startswith("pool") and "_" in field:
            number = field.split("_", 1)[0].removeprefix("pool")
            most = max(most, int(number) if number.isdigit() else 1)
    return min(max(POOLS_SHOWN, most), MAX_POOLS)


def _clock(minutes, first=9 * 60):
    """Minutes into the visit as a time of a visit starting at 09:00: 75 → "10:15"."""
    total = (first + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def quiet(form, formset):
    """Forget the errors of forms re-shown as typed (a session or pool was added, or the
    preview refreshed): nobody asked for them to be checked yet."""
    for each in (form, *formset.forms):
        each._errors = ErrorDict()
    formset._non_form_errors = ErrorList()


def itinerary(form, formset, tenant):
    """The candidate's day as the plan stands on the form: [{"start", "end" (minutes from
    the first start), "title", "who"}], from what is typed (valid or not)."""
    data = form.data if form.is_bound else None
    names = {str(p.pk): p.name for p in Interviewer.objects.filter(tenant=tenant)}
    programs = {str(p.pk): p.name for p in TrainingProgram.objects.filter(tenant=tenant)}

    def value(f, name, many=False):
        key = f.add_prefix(name)
        if data is not None:
            return data.getlist(key) if many else data.get(key, "")
        initial = f.initial.get(name, f.fields[name].initial if name in f.fields else "")
        if many:
            return [str(getattr(p, "pk", p)) for p in (initial or [])]
        return "" if initial is None else str(getattr(initial, "pk", initial))

    try:
        gap = int(value(form, "break_minutes") or 0)
    except ValueError:
        gap = 0
    parts, at = [], 0
    for f in formset.forms:
        if value(f, "DELETE") in ("on", "true", "True", "1"):
            continue
        try:
            minutes = max(5, min(480, int(value(f, "duration_minutes") or 60)))
        except ValueError:
            minutes = 60
        who = [names[p] for p in value(f, "required", True) if p in names]
        for index in range(f.pool_count):
            _name, members, k, program, trainee_required = _pool_fields(pool_prefix(index))
            chosen = [names[p] for p in value(f, members, True) if p in names]
            if chosen:
                try:
                    count = int(value(f, k) or 1)
                except ValueError:
                    count = 1
                who.append(f"{count} of {', '.join(chosen)}")
                learning = programs.get(value(f, program))
                if learning:
                    must = value(f, trainee_required) in ("on", "true", "True", "1")
                    who.append(
                        f"a trainee from {learning}{'' if must else ' (when one can come)'}"
                    )
        title = (value(f, "title_template") or "Interview").replace("{job}", "the job")
        title = title.replace("{candidate}", "the candidate").replace("{stage}", "the stage")
        parts.append(
            {"start": _clock(at), "end": _clock(at + minutes), "title": title, "who": who}
        )
        at += minutes + gap
    return parts


@dataclasses.dataclass
class WhereCheck:
    """What the plan's place will be, with the calendars the plan's people have: what the
    candidate reads on the booking page, a warning, or why it is refused."""

    reads: str = ""
    warning: str = ""
    refused: str = ""


def where_check(form, formset, tenant):
    """Check the place the form chooses against what the plan's people's calendars and
    profiles can deliver (from what is typed, valid or not)."""
    data = form.data if form.is_bound else None
    if data is not None:
        kind = data.get(form.add_prefix("location_kind"), "")
        detail = data.get(form.add_prefix("location_detail"), "")
        notes = data.get(form.add_prefix("location_notes"), "")
        ids = set()
        for f in formset.forms:
            if data.get(f.add_prefix("DELETE")) in ("on", "true", "True", "1"):
                continue
            ids.update(data.getlist(f.add_prefix("required")))
            for index in range(f.pool_count):
                ids.update(data.getlist(f.add_prefix(_pool_fields(pool_prefix(index))[1])))
        # Interviewers' ids are UUIDs: anything else typed into the post is no one.
        ids = {i for i in ids if _is_uuid(i)}
        people = list(
            Interviewer.objects.filter(tenant=tenant, pk__in=ids).select_related(
                "calendar_connection"
            )
        )
    else:
        plan = form.instance
        kind, detail, notes = plan.location_kind, plan.location_detail, plan.location_notes
        people = plans.plan_people(plan) if plan.pk else []
    if kind not in dict(InterviewPlan.Location.choices):
        return WhereCheck()
    video = plans.video_for(tenant, people)
    calendars = _calendar_names(tenant, people)
    check = WhereCheck()
    said = where.describe(
        kind, reader=where.CANDIDATE, detail=detail, notes=notes, video=video, booked=False
    )
    check.reads = " ".join(part for part in (said.summary + ".", said.pending) if part)
    lacking = [p.name for p in people if not outside.is_web_url(p.meeting_room_url)]
    if kind == where.VIDEO and video == where.CANNOT:
        check.refused = (
            f"{calendars} cannot add video links to events, so interviews would have no link. "
            "Choose each interviewer’s own meeting room, a fixed link, the office or a phone "
            "call."
        )
    elif kind == where.VIDEO and video is where.UNKNOWN and not calendars:
        check.warning = (
            "No calendar is connected yet: connect one (Settings) and Convene checks whether "
            "it can add video links."
        )
    elif kind == where.VIDEO and video is where.UNKNOWN:
        check.warning = (
            f"Convene has not yet checked whether {calendars} can add video links (Settings, "
            "the calendar’s page). Until it has, candidates are told the link comes by email "
            "once the calendar creates it; if it cannot, the interview page says so."
        )
    elif kind == where.ROOM and lacking and video == where.CANNOT:
        check.refused = (
            f"{_names(lacking)} {'has' if len(lacking) == 1 else 'have'} no meeting room link on "
            f"their profile, and {calendars} cannot add video links. Add their room links "
            "(Interviewers), or take them out of the plan."
        )
    elif kind == where.ROOM and lacking:
        instead = f"{video} from the calendar" if video else "the calendar’s video"
        check.warning = (
            f"{_names(lacking)} {'has' if len(lacking) == 1 else 'have'} no meeting room link on "
            f"their profile: when {'they host' if len(lacking) == 1 else 'one of them hosts'}, "
            f"{instead} is used instead."
        )
    elif kind == where.PHONE:
        check.warning = "Candidates give their number when they book; the interviewer calls it."
    return check


def refuse_where(form, check):
    """Put the refusal beside the place's field; True when the plan cannot be saved so."""
    if check.refused:
        form.add_error("location_kind", check.refused)
        return True
    return False


def _calendar_names(tenant, people):
    conns = {p.calendar_connection for p in people if p.has_calendar}
    if not conns:
        conns = set(
            tenant.connections.filter(category="calendar", status="active").order_by(
                "connected_at"
            )
        )
    names = sorted({c.integration_name or c.integration_type for c in conns})
    return " and ".join(names)


def _names(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def session_initial(plan):
    """The formset's initial data from a saved plan."""
    initial = []
    for session in plan.sessions.prefetch_related("required", "pools__members", "pools__program"):
        row = {
            "title_template": session.title_template,
            "duration_minutes": session.duration_minutes,
            "required": list(session.required.all()),
            "pool_k": 0,
        }
        for index, pool in enumerate(session.pools.all()):
            name, members, k, program, trainee_required = _pool_fields(pool_prefix(index))
            row.update(
                {
                    name: pool.name,
                    members: list(pool.members.all()),
                    k: pool.k,
                    program: pool.program,
                    trainee_required: pool.trainee_required,
                }
            )
        initial.append(row)
    return initial
