"""The availability engine: which times Convene offers, and why a day has none.

Pure Python: no Django, no HTTP, no clock. Frozen dataclasses go in (`Search`, `Plan`,
`Interviewer`), an `Availability` comes out; the same input always gives the same slots in
the same order. `find_slots` is the entry point.

The rules, in one place (each class's docstring has the detail):

- Working hours are wall-clock ranges in the interviewer's zone and mean the instants at
  which their clock shows a time in range; 09:00–17:00 stays 09:00–17:00 on DST change days.
  Nonexistent local times (the spring-forward gap) hold no time and repeated ones (the
  fall-back hour) are counted on both passes, so neither crashes nor shifts anything.
- Busy time comes as `Busy` records or, compactly, as sorted (start, end) epoch-second pairs
  (`Interviewer.busy_times`, built by `busy_times`), which block exactly the same time.
- Busy blocks marked `free` (transparent) block nothing; `all_day` blocks block whole dates
  in the interviewer's zone, given as midnight UTC of the first date and of the day after
  the last, as Unified sends them.
- Buffers: an interview keeps `buffer_before` and `buffer_after` clear of busy time; next to
  a hold (Convene's own interview) the gap is the larger of the two. Buffers may fall outside
  working hours; a person's sessions within one visit need no buffer between them.
- Caps and load count holds and proposed interviews (trainees included) on the local date and
  ISO week of their start in the interviewer's zone.
- Pools pick the k members with the fewest interviews that week, then that day, then by
  key; each pick lists the alternates who could take its seat. A pool naming a training
  program seats at most one of its trainees per session, lightest load first, after the
  members: a trainee who shadows sits beside the k, one who leads (reverse shadow) takes
  one of the k seats and a picked member shadows them. A trainee must be able to attend
  like anyone else and counts in load and caps; if none can, the time is offered without
  one unless the pool says `trainee_required`. Nobody is seated twice in one session.
- Starts are aligned to `step` after midnight on the candidate's clock; a visit's sessions
  run in order separated by exactly `break_between`, all within the candidate date the
  visit starts on (a single interview may run past the candidate's midnight).
- Candidate hours (`CandidateHours`), when the candidate's zone is known: a visit is inside
  them when the whole of it lies within one stretch of them on the candidate's clock; strict
  ones leave out the visits outside (and explain a date they empty), others mark them.
- Candidate windows (`Search.candidate_windows`), the times the candidate proposed: only
  visits wholly inside one of them are offered, and empty dates are explained within them.
- Each candidate date without a slot gets one `DayExplanation`, chosen by the priority given
  there.

>>> import datetime as dt
>>> hours = WorkingHours.daily(dt.time(9), dt.time(17))
>>> ann = Interviewer(key="ann", zone="America/New_York", hours=hours)
>>> plan = Plan(sessions=(Session(key="chat", duration=dt.timedelta(hours=1), required=("ann",)),))
>>> search = Search(start=dt.datetime(2026, 3, 6, 5, tzinfo=dt.UTC),  # midnight in New York
...                 end=dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC),
...                 now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), candidate_zone="America/New_York")
>>> result = find_slots(search, plan, [ann])
>>> [s.start.isoformat() for s in result.slots[:2]]
['2026-03-06T14:00:00+00:00', '2026-03-06T14:15:00+00:00']
>>> [(day.date.isoformat(), day.code) for day in result.empty_days]
[('2026-03-07', 'no_one_works'), ('2026-03-08', 'no_one_works')]
"""

from .engine import find_slots
from .records import (
    ANY_ORDER,
    BEYOND_HORIZON,
    CANDIDATE_HOURS,
    CANDIDATE_TIMES,
    DAILY_CAP,
    EXPLANATION_CODES,
    FIXED_ORDER,
    NO_COMMON_TIME,
    NO_ONE_WORKS,
    OUT_OF_HOURS,
    POOL_EXHAUSTED,
    REQUIRED_BUSY,
    WEEKLY_CAP,
    WITHIN_NOTICE,
    Availability,
    Busy,
    CandidateHours,
    DateHours,
    DayExplanation,
    Hold,
    Interviewer,
    Plan,
    Pool,
    PoolChoice,
    Search,
    Session,
    SessionSlot,
    Slot,
    WorkingHours,
    busy_times,
)

__all__ = [
    "ANY_ORDER",
    "BEYOND_HORIZON",
    "CANDIDATE_HOURS",
    "CANDIDATE_TIMES",
    "DAILY_CAP",
    "EXPLANATION_CODES",
    "FIXED_ORDER",
    "NO_COMMON_TIME",
    "NO_ONE_WORKS",
    "OUT_OF_HOURS",
    "POOL_EXHAUSTED",
    "REQUIRED_BUSY",
    "WEEKLY_CAP",
    "WITHIN_NOTICE",
    "Availability",
    "Busy",
    "CandidateHours",
    "DateHours",
    "DayExplanation",
    "Hold",
    "Interviewer",
    "Plan",
    "Pool",
    "PoolChoice",
    "Search",
    "Session",
    "SessionSlot",
    "Slot",
    "WorkingHours",
    "busy_times",
    "find_slots",
]
