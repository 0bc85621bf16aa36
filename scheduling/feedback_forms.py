from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from . import feedback as feedback_rules
from .models import FeedbackRequest, Tenant

RATING_CHOICES = [
    ("", "Not rated"),
    *((number, f"{number} – {label}") for number, label in FeedbackRequest.RATINGS),
]


class FeedbackForm(forms.Form):
    """The scorecard: a recommendation, a rating and a comment per question, a note.

    The same form saves drafts (anything goes, and what is invalid keeps its saved value)
    and submits (`submitting=True`: the recommendation is required). A trainer whose
    trainee's program counts a session only once a trainer approves it is also asked, per
    trainee (`seats`), whether the session should count (required to submit).
    """

    recommendation = forms.ChoiceField(
        label="Overall recommendation",
        choices=FeedbackRequest.Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Anything else",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10_000,
        help_text="Goes to the ATS with your scorecard. The candidate never sees it.",
    )

    def __init__(self, *args, questions=(), submitting=False, seats=(), training=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.submitting = submitting
        self.seats = list(seats)
        if training is not None and not training.goes_to_ats:
            self.fields["note"].help_text = (
                "Kept in Convene with your training feedback: your trainers and the team's "
                "admins read it. The candidate never sees it."
            )
        for seat in self.seats:
            name = seat.interviewer.name
            self.fields[f"trainee_{seat.pk}"] = forms.TypedChoiceField(
                label=f"Did {name} do well enough for this session to count toward their "
                "training?",
                choices=[("yes", "Yes, count it"), ("no", "Not yet: it does not count")],
                coerce=lambda value: value == "yes",
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
                help_text=f"{name} is training for “{seat.training.program.name}”: a session "
                "counts toward their training only once a trainer says so.",
            )
        for index, text in enumerate(self.questions):
            self.fields[f"q{index}_rating"] = forms.TypedChoiceField(
                label="Rating",
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"q{index}_comment"] = forms.CharField(
                label="Comment",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=5_000,
            )
            self.fields[f"q{index}_rating"].question = text

    @classmethod
    def for_request(cls, feedback, data=None, *, submitting=False):
        initial = {"recommendation": feedback.recommendation, "note": feedback.note}
        for row in feedback.rows():
            index = row["number"] - 1
            initial[f"q{index}_rating"] = row["rating"] or ""
            initial[f"q{index}_comment"] = row["comment"]
        seats = feedback_rules.seats_to_judge(feedback)
        for seat in seats:
            saved = (feedback.trainee_verdicts or {}).get(str(seat.pk))
            initial[f"trainee_{seat.pk}"] = "" if saved is None else ("yes" if saved else "no")
        return cls(
            data,
            initial=initial,
            questions=feedback.questions,
            submitting=submitting,
            seats=seats,
            training=feedback if feedback.training else None,
        )

    def clean(self):
        cleaned = super().clean()
        if self.submitting and not cleaned.get("recommendation"):
            self.add_error("recommendation", "Choose a recommendation before you submit.")
        for seat in self.seats:
            name = f"trainee_{seat.pk}"
            if self.submitting and cleaned.get(name) is None and name not in self.errors:
                self.add_error(
                    name,
                    f"Say whether this session counts toward {seat.interviewer.name}'s "
                    "training before you submit.",
                )
        return cleaned

    @property
    def trainee_fields(self):
        return [self[f"trainee_{seat.pk}"] for seat in self.seats]

    @property
    def question_fields(self):
        return [
            {
                "number": index + 1,
                "text": text,
                "rating": self[f"q{index}_rating"],
                "comment": self[f"q{index}_comment"],
            }
            for index, text in enumerate(self.questions)
        ]

    def values(self, fallback):
        """The model's field values from what validated; a field that did not validate
        keeps `fallback`'s saved value (a draft never loses what was saved)."""
        cleaned = getattr(self, "cleaned_data", {})
        old = {row["number"] - 1: row for row in fallback.rows()}

        def pick(name, default):
            return cleaned[name] if name in cleaned and name not in self.errors else default

        answers = []
        for index in range(len(self.questions)):
            saved = old.get(index, {"rating": None, "comment": ""})
            answers.append(
                {
                    "rating": pick(f"q{index}_rating", saved["rating"]),
                    "comment": pick(f"q{index}_comment", saved["comment"]),
                }
            )
        verdicts = dict(fallback.trainee_verdicts or {})
        for seat in self.seats:
            verdict = pick(f"trainee_{seat.pk}", verdicts.get(str(seat.pk)))
            if verdict is None:
                verdicts.pop(str(seat.pk), None)
            else:
                verdicts[str(seat.pk)] = verdict
        return {
            "recommendation": pick("recommendation", fallback.recommendation) or "",
            "answers": answers,
            "note": pick("note", fallback.note),
            "trainee_verdicts": verdicts,
        }


class FeedbackSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["feedback_link_days", "feedback_reminder_hours"]
        help_texts = {
            "feedback_link_days": "Counted from the email. Members can still give feedback "
            "after signing in, and a reminder sent by hand renews the link.",
            "feedback_reminder_hours": "After the interview's end, then at most once a day "
            "while the link works. 0: no automatic reminders (you can still remind by hand).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound(self.fields["feedback_link_days"], *Tenant.FEEDBACK_LINK_DAYS)
        _bound(self.fields["feedback_reminder_hours"], *Tenant.FEEDBACK_REMINDER_HOURS)


def _bound(field, low, high):
    """The model's range on the form field too: its message beside the field, and the
    browser's own check before that."""
    field.min_value, field.max_value = low, high
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)
