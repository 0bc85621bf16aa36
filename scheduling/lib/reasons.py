"""Why an interview moved or was canceled: a reason chosen from the team's short list (or
"Other" with words of one's own), kept as data so that the reports can count them.

A team's list is a list of labels ("A conflict came up"); a reason's code is its label made
a slug, so the same label counts as one reason across interviews and people, and "other"
is the code of one's own words. Reasons phrased to read well from whoever gives them (the
candidate on their page, the recruiter for the team), as Greenhouse's lists are.
"""

import dataclasses

from django.utils.text import slugify

OTHER = "other"
OTHER_LABEL = "Other"
MAX_LABEL = 80
MAX_TEXT = 500
MAX_REASONS = 12

DEFAULT_RESCHEDULE = [
    "A conflict came up",
    "Feeling unwell",
    "Travel or connection trouble",
    "Need more time to prepare",
]
DEFAULT_CANCEL = [
    "Accepted another offer",
    "No longer interested",
    "A conflict came up",
    "Feeling unwell",
]


# The recruiter's own, for the team (the candidate's are phrased for the candidate).
DEFAULT_TEAM_RESCHEDULE = [
    "The candidate asked to move it",
    "An interviewer can't make it",
    "The panel changed",
    "Booked at the wrong time",
]
DEFAULT_TEAM_CANCEL = [
    "The candidate withdrew",
    "The candidate asked to cancel",
    "The position was filled or closed",
    "Not moving forward with the candidate",
    "Booked by mistake",
]


def default_team_reschedule_reasons():
    return list(DEFAULT_TEAM_RESCHEDULE)


def default_team_cancel_reasons():
    return list(DEFAULT_TEAM_CANCEL)


def default_reschedule_reasons():
    return list(DEFAULT_RESCHEDULE)


def default_cancel_reasons():
    return list(DEFAULT_CANCEL)


def code_for(label):
    return slugify(label)[:50]


@dataclasses.dataclass(frozen=True)
class Reason:
    """A reason given: `code` (a label's slug, "other", or "" for none), the label as it
    read when chosen, and words of the person's own (required with "other")."""

    code: str = ""
    label: str = ""
    text: str = ""

    @classmethod
    def of(cls, value):
        """A Reason from a Reason, or from plain words (Convene's own, for a change that
        came from a calendar or the ATS: no code, not a choice from the list), or None."""
        if isinstance(value, Reason):
            return value
        return cls(text=(value or "").strip())

    @property
    def words(self):
        """The reason as the history and the emails read it: the label, with the person's
        own words after it; their words alone for "Other" (and for Convene's own)."""
        if self.code in (OTHER, ""):
            return self.text
        if self.text:
            return f"{self.label}: {self.text}"
        return self.label

    def __str__(self):
        return self.words


def choices(labels):
    """[(code, label)] of a team's list, "Other" last; codes unique (the first label wins)."""
    seen, result = set(), []
    for label in labels:
        code = code_for(label)
        if code and code != OTHER and code not in seen:
            seen.add(code)
            result.append((code, label))
    return [*result, (OTHER, OTHER_LABEL)]


REQUIRED = "Choose a reason, or “Other” and a few words."


def chosen(labels, code, text, *, required=False):
    """(Reason, error) from what a form posted: `code` of the list (or "other", or "" for
    none) and the person's words; `required` refuses none. The error is in words, for
    beside the field."""
    text = " ".join((text or "").split())[:MAX_TEXT]
    code = (code or "").strip()
    if not code:
        if text:
            return Reason(OTHER, OTHER_LABEL, text), ""
        return Reason(), REQUIRED if required else ""
    if code == OTHER:
        if not text:
            return Reason(), "Say why in a few words, or choose a reason from the list."
        return Reason(OTHER, OTHER_LABEL, text), ""
    label = dict(choices(labels)).get(code)
    if label is None:
        # Not a code of the list (a page from before the list changed, or a client that
        # posts words): kept as the person's own words rather than lost.
        words = " ".join(code.split() + ([text] if text else []))[:MAX_TEXT]
        return Reason(OTHER, OTHER_LABEL, words), ""
    return Reason(code, label, text), ""


def parse_list(text):
    """(labels, error) from a textarea: one reason a line, blank lines and repeats dropped;
    "Other" is always offered, so it is not listed."""
    labels, seen = [], set()
    for line in (text or "").splitlines():
        label = " ".join(line.split())
        code = code_for(label)
        if not label or code in seen or code == OTHER:
            continue
        if not code:
            return [], f"“{label}” has no letters or digits: write the reason in words."
        if len(label) > MAX_LABEL:
            return [], f"“{label[:30]}…” is too long: at most {MAX_LABEL} characters a reason."
        seen.add(code)
        labels.append(label)
    if len(labels) > MAX_REASONS:
        return [], f"At most {MAX_REASONS} reasons: a short list is quicker to choose from."
    return labels, ""
