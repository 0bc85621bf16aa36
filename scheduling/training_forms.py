"""The forms of Settings → Training: a program's name, stages and approvals, and enrolling
an interviewer as its trainee (scheduling.training_views)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from .models import Interviewer, Trainee, TrainingProgram

MAX_SESSIONS = 20


class ProgramForm(forms.ModelForm):
    """A training program: shadow ×N, then reverse shadow ×M, then qualified."""

    class Meta:
        model = TrainingProgram
        fields = [
            "name",
            "shadow_count",
            "reverse_shadow_count",
            "approval_required",
            "trainer_approval_required",
            "send_training_feedback_to_ats",
        ]
        labels = {
            "name": "Name",
            "shadow_count": "Shadow sessions",
            "reverse_shadow_count": "Reverse-shadow sessions",
            "approval_required": "An admin approves each move to the next stage",
            "trainer_approval_required": "A session counts only once the trainer’s feedback "
            "approves it",
            "send_training_feedback_to_ats": "Send trainees’ own feedback to the ATS",
        }
        help_texts = {
            "name": "What the trainees learn, e.g. “Coding interview”.",
            "shadow_count": "Interviews the trainee sits in on, beside the interviewers.",
            "reverse_shadow_count": "Interviews the trainee then leads, while a qualified "
            "interviewer of the pool shadows them. After these they are qualified.",
            "send_training_feedback_to_ats": "Otherwise it is kept in Convene, for the "
            "trainee and their trainers.",
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["name"].widget.attrs["placeholder"] = "e.g. Coding interview"
        self.fields["name"].error_messages["required"] = "Give the program a name."
        for name in ("shadow_count", "reverse_shadow_count"):
            self.fields[name].validators.append(
                MaxValueValidator(MAX_SESSIONS, f"At most {MAX_SESSIONS} sessions.")
            )
            self.fields[name].widget.attrs.update({"min": 0, "max": MAX_SESSIONS})
        self.fields["shadow_count"].validators.append(MinValueValidator(0))

    def clean_name(self):
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError("Give the program a name.")
        taken = TrainingProgram.objects.filter(tenant=self.tenant, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"Your team has a program called “{name}” already.")
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shadow_count") == 0 and cleaned.get("reverse_shadow_count") == 0:
            self.add_error(
                "shadow_count",
                "A program needs at least one session to shadow or to lead.",
            )
        return cleaned

    def save(self, commit=True):
        self.instance.tenant = self.tenant
        return super().save(commit)


class EnrollForm(forms.Form):
    """Enroll one of the team's interviewers in a program, at a stage."""

    interviewer = forms.ModelChoiceField(
        queryset=Interviewer.objects.none(),
        label="Interviewer",
        empty_label="Choose an interviewer…",
        error_messages={
            "required": "Choose whom to enroll.",
            "invalid_choice": "Choose one of your team’s active interviewers.",
        },
    )
    stage = forms.ChoiceField(
        label="Starts at",
        choices=[
            (Trainee.Stage.SHADOW, "Shadowing"),
            (Trainee.Stage.REVERSE_SHADOW, "Reverse shadowing (they lead)"),
        ],
        initial=Trainee.Stage.SHADOW,
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        enrolled = program.trainees.filter(active=True).values("interviewer")
        self.fields["interviewer"].queryset = (
            Interviewer.objects.filter(tenant=program.tenant, active=True)
            .exclude(pk__in=enrolled)
            .order_by("name")
        )

    def clean_interviewer(self):
        person = self.cleaned_data["interviewer"]
        # A qualified member of a pool naming the program interviews there already.
        member_of = self.program.pools.filter(members=person).first()
        if member_of is not None:
            raise forms.ValidationError(
                f"{person} already interviews in a pool that names this program "
                f"(“{member_of.session.plan}”): take them out of it first, or leave them "
                "qualified."
            )
        return person
