"""Words for values that come from enums: a stage, a status, a state.

No enum value reaches a page as it is spelled in code ("SECOND_INTERVIEW"): a person reads
the ATS's own name for a stage where there is one, else this sentence-case rendering of
Unified's normalized value ("Second interview").
"""


def enum_label(value):
    """ "SECOND_INTERVIEW" → "Second interview"; "" → "".

    >>> enum_label("NEEDS_SCHEDULING"), enum_label("no_show"), enum_label("")
    ('Needs scheduling', 'No show', '')
    """
    words = " ".join((value or "").replace("_", " ").split()).lower()
    return words[:1].upper() + words[1:]


def stage_label(status, name=""):
    """A stage as a person reads it: the ATS's name when known, else Unified's normalized
    status in words.

    >>> stage_label("SECOND_INTERVIEW", "Face to Face"), stage_label("SECOND_INTERVIEW")
    ('Face to Face', 'Second interview')
    """
    return (name or "").strip() or enum_label(status)
