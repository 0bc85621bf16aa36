"""Deterministic, realistic seed data: two worlds, each an ATS and a calendar connection.

* **acme** (Acme Robotics, HQ New York): a Greenhouse-like ATS and a company-wide
  Google-like calendar. `seed_size` sets its number of candidates (default 80; 10,000 for
  benchmarks). Employees work in New York, Los Angeles, London, Berlin and Bengaluru.
* **globex** (Globex Labs, HQ London): a Lever-like ATS and a company-wide Outlook-like
  calendar, 40 candidates. Employees in London, Berlin, New York, Sydney and Bengaluru.

Everything derives from the anchor date (default: today in UTC) and the world's name: the same
anchor gives byte-identical data. Calendars run from three weeks before the anchor to eight
weeks after it; past interviews lie before the anchor day, upcoming ones after it.

A calendar has two layers. The *background* (recurring meetings and 1:1s, focus time,
lunches, ad-hoc meetings, reminders) is built week by week from the week alone, so a date
looks the same whichever day the sandbox is seeded on, as a real calendar does, and seeding
consecutive anchors reuses the weeks they share (`background_week`). On top lie the parts
that follow the anchor: days off, a trip, birthdays and pay days, and the interviews of the
pipeline, fitted into the background's gaps. Separate random streams feed the people, the
calendar, the pipeline and the bulk candidates, so a bigger `seed_size` adds candidates
without changing anything else.

Deliberately odd records, as real vendors send them: a candidate without an email address,
an application whose `status` is outside Unified's enum, an `applied_at` without a zone
designator, names with non-ASCII letters and apostrophes, an inactive employee.

What the seed promises, for every anchor date (the demo relies on these; tests create what
they assert about instead; `test_the_seed_keeps_its_promises_for_400_anchor_dates` in
tests/scheduling/unified/test_sandbox_seed.py checks each of them for 400 consecutive
anchors, a month back and a year ahead of the day it runs):

* The fixed tables below: the people (names, titles, zones, managers, the demo's
  recruiter@ and interviewer@acme.example), the four connection ids, the jobs (each world has
  one CLOSED job and at least five OPEN ones), each vendor's stage names, the rituals. At
  least twelve active employees in at least four zones, and one inactive employee.
* The pipeline: `candidates` candidates per world (80 at Acme by default, 40 at Globex) and
  the two odd ones; stages, notes and scorecards; an application in every one of Unified's
  statuses, at least three in each
  of SCREENING, FIRST, SECOND and THIRD_INTERVIEW, a status outside the enum (ON_HOLD), a
  zoneless `applied_at`, a candidate without an email, a candidate in two pipelines; at least
  three applications (one at Globex) in an interview stage of an open job, with an email
  and no interview coming up: what the pipeline lists as needing scheduling.
* Interviews: at least three SCHEDULED in the two weeks after the anchor, twenty COMPLETE
  (with at least twenty scorecards) and, at Acme, one AWAITING_FEEDBACK; every scheduled,
  complete or awaiting one points at a calendar event at its time that invites its interviewers;
  SCHEDULED ones start after the anchor and COMPLETE ones ended before it.
  Every interview names its interviewers, all of them employees.
* Calendars: every active person has timed meetings in each of the four weeks after the
  anchor (unless they are away all that week); focus time,
  lunches, free, tentative and canceled events, every kind of answer to an invitation, at
  least five recurring series (Daniel's Autonomy stand-up every weekday, also on days
  off), a flight, someone out of office in the coming week, a calendar
  per active employee, and events from three weeks back (the first weekday) to eight weeks
  ahead.
"""

import datetime as dt
import functools
import itertools
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .events import day_span, google_meet
from .events import zone as tzinfo
from .integrations import INTEGRATIONS, integration_for_world, make_id
from .store import GLOBAL, format_instant

UTC = dt.UTC
DAY = dt.timedelta(days=1)

# The pre-seeded connections (Unified connection ids are 24 hex characters).
ACME_ATS_CONNECTION_ID = "65ac3e00a75000000000000a"
ACME_CALENDAR_CONNECTION_ID = "65ac3e00ca1000000000000a"
GLOBEX_ATS_CONNECTION_ID = "65610be0a75000000000000b"
GLOBEX_CALENDAR_CONNECTION_ID = "65610be0ca1000000000000b"
SEEDED_CONNECTIONS = {
    ACME_ATS_CONNECTION_ID: ("acme", "ats"),
    ACME_CALENDAR_CONNECTION_ID: ("acme", "calendar"),
    GLOBEX_ATS_CONNECTION_ID: ("globex", "ats"),
    GLOBEX_CALENDAR_CONNECTION_ID: ("globex", "calendar"),
}

DEFAULT_SEED_SIZE = 80
PAST_DAYS = 21
FUTURE_DAYS = 56
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _address_of(n):
    return CANDIDATE_ADDRESSES[n % len(CANDIDATE_ADDRESSES)]


# --- the worlds -----------------------------------------------------------------------------


def _table(text):
    """Rows of a `|`-separated table whose first line names the columns."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    header = [h.strip() for h in lines[0].split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.split("|")), strict=True)) for line in lines[1:]
    ]


@dataclass(frozen=True)
class Person:
    key: str
    first: str
    last: str
    title: str
    department: str
    tz: str
    manager: str | None = None
    email: str | None = None  # default first.last@domain
    active: bool = True


@dataclass(frozen=True)
class Ritual:
    """A recurring meeting: WEEKLY (every `interval` weeks) on `days` at the organizer's
    local `time`."""

    subject: str
    organizer: str
    attendees: tuple[str, ...]
    time: str
    minutes: int
    days: tuple[str, ...]
    interval: int = 1
    declined: tuple[str, ...] = ()  # attendees who declined the series
    tentative: tuple[str, ...] = ()
    location: str | None = None


@dataclass(frozen=True)
class JobSpec:
    key: str
    name: str
    department: str
    city: str
    region: str
    region_code: str
    country: str
    country_code: str
    recruiter: str
    hiring_manager: str
    interviewers: tuple[str, ...]
    remote: bool = False
    employment_type: str = "FULL_TIME"
    status: str = "OPEN"
    openings: int = 1


ZONES = {
    "NY": "America/New_York",
    "LA": "America/Los_Angeles",
    "LON": "Europe/London",
    "BER": "Europe/Berlin",
    "BLR": "Asia/Kolkata",
    "SYD": "Australia/Sydney",
}


def _people(text, emails, inactive):
    return tuple(
        Person(
            key=row["key"],
            first=row["first"],
            last=row["last"],
            title=row["title"],
            department=row["department"],
            tz=ZONES[row["zone"]],
            manager=row["manager"] or None,
            email=emails.get(row["key"]),
            active=row["key"] not in inactive,
        )
        for row in _table(text)
    )


def _rituals(text, details):
    rituals = []
    for row in _table(text):
        rituals.append(
            Ritual(
                subject=row["subject"],
                organizer=row["host"],
                attendees=tuple(row["attendees"].split()),
                time=row["time"],
                minutes=int(row["min"]),
                days=tuple(row["days"].split()),
                interval=int(row["every"]),
                **details.get(row["subject"], {}),
            )
        )
    return tuple(rituals)


def _jobs(text, interviewers, details):
    return tuple(
        JobSpec(
            key=row["key"],
            name=row["name"],
            department=row["department"],
            **dict(
                zip(
                    ("city", "region", "region_code", "country", "country_code"),
                    PLACES[row["place"]],
                    strict=True,
                )
            ),
            recruiter=row["rec"],
            hiring_manager=row["manager"],
            interviewers=interviewers[row["key"]],
            **details.get(row["key"], {}),
        )
        for row in _table(text)
    )


@dataclass(frozen=True)
class World:
    name: str
    company: str
    domain: str
    candidates: int
    people: tuple[Person, ...]
    rituals: tuple[Ritual, ...]
    jobs: tuple[JobSpec, ...]
    stages: tuple[tuple[str, str], ...]  # (normalized status, vendor stage name)
    rounds: dict  # normalized status → (round name, minutes, panel size; 0 recruiter, -1 HM)
    phone: str  # format with {n}
    holidays: dict  # zone → (days after anchor, name)
    owner: str  # whose calendar a company-wide connection calls "primary"
    video_location: str
    connections: dict = field(default_factory=dict)  # category → seeded connection id


GREENHOUSE_STAGES = (
    ("NEW", "Application Submitted"),
    ("REVIEWING", "Application Review"),
    ("SCREENING", "Preliminary Phone Screen"),
    ("SUBMITTED", "Take Home Test"),
    ("FIRST_INTERVIEW", "Technical Phone Interview"),
    ("SECOND_INTERVIEW", "Face to Face"),
    ("THIRD_INTERVIEW", "Executive Interview"),
    ("BACKGROUND_CHECK", "Reference Check"),
    ("OFFERED", "Offer"),
    ("ACCEPTED", "Offer Accepted"),
    ("HIRED", "Hired"),
    ("REJECTED", "Rejected"),
    ("DECLINED", "Candidate Declined"),
    ("WITHDRAWN", "Candidate Withdrew"),
)
LEVER_STAGES = (
    ("NEW", "New applicant"),
    ("REVIEWING", "Reached out"),
    ("SCREENING", "Recruiter screen"),
    ("SUBMITTED", "Assessment submitted"),
    ("FIRST_INTERVIEW", "Phone screen"),
    ("SECOND_INTERVIEW", "On-site interview"),
    ("THIRD_INTERVIEW", "Final interview"),
    ("BACKGROUND_CHECK", "Background check"),
    ("OFFERED", "Offer"),
    ("ACCEPTED", "Offer accepted"),
    ("HIRED", "Hired"),
    ("REJECTED", "Archived: Underqualified"),
    ("DECLINED", "Archived: Offer declined"),
    ("WITHDRAWN", "Archived: Withdrew"),
)

# The demo's sign-ins recruiter@ and interviewer@acme.example are employees here, so the
# demo's people find themselves in the ATS and on the calendars.
ACME_PEOPLE = """
key    | first  | last        | title                         | department  | zone | manager
maya   | Maya   | Chen        | Head of Talent                | People      | NY   | grace
rosa   | Rosa   | Recruiter   | Senior Technical Recruiter    | People      | NY   | maya
aisha  | Aisha  | Rahman      | Recruiting Coordinator        | People      | NY   | maya
grace  | Grace  | Liu         | VP Engineering                | Engineering | LA   |
daniel | Daniel | Okafor      | Engineering Manager, Autonomy | Engineering | NY   | grace
ian    | Ian    | Interviewer | Software Engineer             | Engineering | NY   | daniel
marcus | Marcus | Johnson     | Controls Engineer             | Engineering | NY   | daniel
priya  | Priya  | Natarajan   | Staff Software Engineer       | Engineering | BLR  | daniel
arjun  | Arjun  | Mehta       | Senior Perception Engineer    | Engineering | BLR  | daniel
sofia  | Sofía  | Álvarez     | Firmware Lead                 | Hardware    | LA   | grace
kevin  | Kevin  | Park        | Embedded Engineer             | Hardware    | LA   | sofia
hannah | Hannah | Whitfield   | Design Director               | Design      | LON  | grace
oliver | Oliver | Bennett     | Senior Product Designer       | Design      | LON  | hannah
vikram | Vikram | Iyer        | Field Operations Manager      | Operations  | BLR  | grace
jonas  | Jonas  | Weber       | Robotics Integration Engineer | Operations  | BER  | vikram
ben    | Ben    | Carter      | Software Engineer             | Engineering | NY   | daniel
"""
ACME_EMAILS = {"rosa": "recruiter@acme.example", "ian": "interviewer@acme.example"}
ACME_RITUALS = """
subject                    | host   | attendees              | time  | min | days           | every
Autonomy stand-up          | daniel | ian marcus priya arjun | 09:45 | 15  | MO TU WE TH FR | 1
Hardware stand-up          | sofia  | kevin jonas            | 09:30 | 15  | MO TU WE TH    | 1
Recruiting pipeline review | maya   | rosa aisha             | 10:00 | 45  | MO             | 1
Hiring sync: engineering   | rosa   | daniel sofia maya      | 14:00 | 30  | TH             | 1
Design crit                | hannah | oliver                 | 11:00 | 60  | WE             | 1
Field ops sync             | vikram | jonas                  | 14:30 | 30  | TU             | 1
Acme all-hands             | grace  | *                      | 12:00 | 60  | TH             | 2
"""
# Answers that differ from "accepted", and rooms instead of a video link, per ritual.
ACME_RITUAL_DETAILS = {
    "Autonomy stand-up": {"declined": ("arjun",)},
    "Recruiting pipeline review": {"location": "Hudson room"},
    "Acme all-hands": {"declined": ("priya", "arjun", "vikram"), "tentative": ("jonas",)},
}
ACME_JOBS = """
key              | name                              | department  | place     | rec  | manager
robotics-swe     | Senior Robotics Software Engineer | Engineering | new-york  | rosa | daniel
perception-ml    | Perception ML Engineer            | Engineering | new-york  | rosa | daniel
firmware         | Embedded Firmware Engineer        | Hardware    | la        | rosa | sofia
product-designer | Product Designer                  | Design      | london    | maya | hannah
tech-recruiter   | Technical Recruiter               | People      | new-york  | maya | maya
field-tech       | Field Service Technician          | Operations  | bengaluru | maya | vikram
controls-em      | Engineering Manager, Controls     | Engineering | new-york  | rosa | grace
"""
ACME_INTERVIEWERS = {
    "robotics-swe": ("ian", "marcus", "priya", "daniel"),
    "perception-ml": ("arjun", "priya", "ian"),
    "firmware": ("kevin", "sofia", "marcus"),
    "product-designer": ("oliver", "hannah"),
    "tech-recruiter": ("rosa", "aisha"),
    "field-tech": ("vikram", "jonas"),
    "controls-em": ("grace", "daniel"),
}
ACME_JOB_DETAILS = {
    "robotics-swe": {"openings": 2},
    "perception-ml": {"remote": True},
    "tech-recruiter": {"employment_type": "CONTRACTOR"},
    "field-tech": {"openings": 3},
    "controls-em": {"status": "CLOSED"},
}
GLOBEX_PEOPLE = """
key       | first     | last     | title                         | department  | zone | manager
eleanor   | Eleanor   | Hughes   | Talent Partner                | People      | LON  | isabella
james     | James     | O'Connor | Recruiter                     | People      | LON  | eleanor
lukas     | Lukas     | Becker   | Engineering Manager, Platform | Engineering | BER  | ravi
anna      | Anna      | Schmidt  | Senior Backend Engineer       | Engineering | BER  | lukas
felix     | Felix     | Wagner   | Site Reliability Engineer     | Engineering | BER  | lukas
zoe       | Zoë       | Müller   | Backend Engineer              | Engineering | BER  | lukas
ravi      | Ravi      | Shankar  | Staff Engineer                | Engineering | BLR  |
charlotte | Charlotte | Evans    | Head of Data                  | Data        | LON  | ravi
samuel    | Samuel    | Adeyemi  | Data Scientist                | Data        | LON  | charlotte
chloe     | Chloe     | Nguyen   | Sales Director APAC           | Sales       | SYD  | isabella
liam      | Liam      | Walsh    | Account Executive             | Sales       | SYD  | chloe
isabella  | Isabella  | Rossi    | Marketing Director            | Marketing   | LON  |
noah      | Noah      | Thompson | Finance Controller            | Finance     | NY   | isabella
mia       | Mia       | Kowalski | Data Engineer                 | Data        | LON  | charlotte
"""
GLOBEX_RITUALS = """
subject             | host      | attendees      | time  | min | days           | every
Platform daily      | lukas     | anna felix zoe | 09:30 | 15  | MO TU WE TH FR | 1
Data stand-up       | charlotte | samuel         | 10:00 | 15  | MO WE FR       | 1
Talent weekly       | eleanor   | james isabella | 11:00 | 45  | TU             | 1
APAC pipeline       | chloe     | liam           | 08:30 | 30  | MO TH          | 1
Architecture review | ravi      | lukas anna     | 15:00 | 45  | WE             | 1
Globex town hall    | isabella  | *              | 16:00 | 45  | FR             | 2
"""
GLOBEX_RITUAL_DETAILS = {
    "Talent weekly": {"location": "Room 3.01 (Shoreditch)"},
    "Globex town hall": {"declined": ("chloe", "liam"), "tentative": ("ravi",)},
}
GLOBEX_JOBS = """
key               | name                      | department  | place    | rec     | manager
data-scientist    | Data Scientist            | Data        | london   | eleanor | charlotte
backend           | Backend Engineer (Go)     | Engineering | berlin   | james   | lukas
sre               | Site Reliability Engineer | Engineering | berlin   | james   | lukas
account-exec      | Account Executive, ANZ    | Sales       | sydney   | eleanor | chloe
marketing-manager | Product Marketing Manager | Marketing   | london   | eleanor | isabella
finance-analyst   | Finance Analyst           | Finance     | new-york | james   | noah
"""
GLOBEX_INTERVIEWERS = {
    "data-scientist": ("samuel", "charlotte", "ravi"),
    "backend": ("anna", "zoe", "felix", "lukas"),
    "sre": ("felix", "anna", "ravi"),
    "account-exec": ("liam", "chloe"),
    "marketing-manager": ("isabella", "charlotte"),
    "finance-analyst": ("noah", "isabella"),
}
GLOBEX_JOB_DETAILS = {
    "backend": {"openings": 2},
    "sre": {"remote": True},
    "finance-analyst": {"status": "CLOSED"},
}
PLACES = {
    "new-york": ("New York", "New York", "NY", "United States", "US"),
    "la": ("Los Angeles", "California", "CA", "United States", "US"),
    "london": ("London", "England", "ENG", "United Kingdom", "GB"),
    "berlin": ("Berlin", "Berlin", "BE", "Germany", "DE"),
    "bengaluru": ("Bengaluru", "Karnataka", "KA", "India", "IN"),
    "sydney": ("Sydney", "New South Wales", "NSW", "Australia", "AU"),
}

ACME = World(
    name="acme",
    company="Acme Robotics",
    domain="acme.example",
    candidates=DEFAULT_SEED_SIZE,
    people=_people(ACME_PEOPLE, ACME_EMAILS, inactive={"ben"}),
    rituals=_rituals(ACME_RITUALS, ACME_RITUAL_DETAILS),
    jobs=_jobs(ACME_JOBS, ACME_INTERVIEWERS, ACME_JOB_DETAILS),
    stages=GREENHOUSE_STAGES,
    rounds={
        "SCREENING": ("Recruiter Screen", 30, 0),
        "FIRST_INTERVIEW": ("Technical Phone Interview", 45, 1),
        "SECOND_INTERVIEW": ("Onsite: Technical Deep Dive", 60, 2),
        "THIRD_INTERVIEW": ("Hiring Manager Interview", 45, -1),
    },
    phone="+1 212 555 01{n:02d}",
    holidays={
        "America/New_York": (18, "Company holiday (offices closed)"),
        "America/Los_Angeles": (18, "Company holiday (offices closed)"),
        "Europe/London": (25, "Bank Holiday"),
        "Europe/Berlin": (32, "Feiertag"),
        "Asia/Kolkata": (11, "Public holiday"),
    },
    owner="maya",
    video_location="Google Meet",
    connections={"ats": ACME_ATS_CONNECTION_ID, "calendar": ACME_CALENDAR_CONNECTION_ID},
)
GLOBEX = World(
    name="globex",
    company="Globex Labs",
    domain="globex.example",
    candidates=40,
    people=_people(GLOBEX_PEOPLE, {}, inactive={"mia"}),
    rituals=_rituals(GLOBEX_RITUALS, GLOBEX_RITUAL_DETAILS),
    jobs=_jobs(GLOBEX_JOBS, GLOBEX_INTERVIEWERS, GLOBEX_JOB_DETAILS),
    stages=LEVER_STAGES,
    rounds={
        "SCREENING": ("Recruiter screen", 30, 0),
        "FIRST_INTERVIEW": ("Phone screen", 45, 1),
        "SECOND_INTERVIEW": ("On-site: Technical", 60, 2),
        "THIRD_INTERVIEW": ("Final interview", 45, -1),
    },
    phone="+44 20 7946 0{n:03d}",
    holidays={
        "Europe/London": (25, "Bank Holiday"),
        "Europe/Berlin": (32, "Feiertag (Tag der Arbeit)"),
        "America/New_York": (18, "Public holiday"),
        "Australia/Sydney": (11, "Public holiday"),
        "Asia/Kolkata": (39, "Public holiday"),
    },
    owner="eleanor",
    video_location="Microsoft Teams Meeting",
    connections={"ats": GLOBEX_ATS_CONNECTION_ID, "calendar": GLOBEX_CALENDAR_CONNECTION_ID},
)


WORLDS = {"acme": ACME, "globex": GLOBEX}

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Isabella",
    "Mateo",
    "Mia",
    "Ethan",
    "Harper",
    "Aiden",
    "Chloe",
    "Leo",
    "Nora",
    "Mason",
    "Zara",
    "Omar",
    "Fatima",
    "Yusuf",
    "Aaliyah",
    "Kwame",
    "Amara",
    "Chidi",
    "Ngozi",
    "Hiroshi",
    "Yuki",
    "Haruto",
    "Mei",
    "Wei",
    "Jun",
    "Min-jun",
    "Seo-yeon",
    "Ananya",
    "Rohan",
    "Aditi",
    "Kavya",
    "Santiago",
    "Valentina",
    "Camila",
    "Diego",
    "Lucía",
    "Mateus",
    "Beatriz",
    "João",
    "Inês",
    "Lukas",
    "Lena",
    "Finn",
    "Clara",
    "Matteo",
    "Giulia",
    "Léa",
    "Hugo",
    "Chloé",
    "Noé",
    "Sven",
    "Astrid",
    "Freya",
    "Magnus",
    "Aoife",
    "Cian",
    "Siobhan",
    "Eilidh",
    "Tomasz",
    "Zofia",
    "Katarzyna",
    "Jakub",
    "Dmitri",
    "Anastasia",
    "Elif",
    "Emre",
    "Tariq",
    "Layla",
    "Samir",
    "Nadia",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Campbell",
    "Mitchell",
    "Patel",
    "Shah",
    "Kumar",
    "Singh",
    "Gupta",
    "Reddy",
    "Iyer",
    "Tanaka",
    "Sato",
    "Suzuki",
    "Kim",
    "Park",
    "Choi",
    "Chen",
    "Wang",
    "Zhang",
    "Liu",
    "Okonkwo",
    "Mensah",
    "Diallo",
    "Haddad",
    "Nasser",
    "Kaya",
    "Yilmaz",
    "Novak",
    "Kowalczyk",
    "Nowak",
    "Petrov",
    "Ivanova",
    "Jensen",
    "Larsen",
    "Andersson",
    "Virtanen",
    "O'Brien",
    "Murphy",
    "Byrne",
    "Fischer",
    "Schneider",
    "Rossi",
    "Bianchi",
    "Moreau",
    "Dubois",
    "Silva",
    "Santos",
    "Ferreira",
    "Costa",
]
CANDIDATE_DOMAINS = ("mail.example", "inbox.example", "post.example", "proton.example")
# Where candidates live, as ATSs hold it: by candidate number, not drawn from the random
# streams (so adding them changed no other seeded value). Some have none, as in real ATSs.
CANDIDATE_ADDRESSES = (
    {"city": "Brooklyn", "region": "New York", "region_code": "NY", "country": "United States",
     "country_code": "US"},
    {"city": "Pune", "region": "Maharashtra", "country": "India", "country_code": "IN"},
    {"city": "Austin", "region": "Texas", "region_code": "TX", "country_code": "US"},
    None,
    {"city": "Los Angeles", "region_code": "CA", "country": "United States"},
    {"city": "London", "country": "United Kingdom", "country_code": "GB"},
    {"city": "Toronto", "region": "Ontario", "country": "Canada", "country_code": "CA"},
    {"city": "Berlin", "country": "Germany", "country_code": "DE"},
    None,
    {"city": "Bengaluru", "region": "Karnataka", "country": "India", "country_code": "IN"},
    {"city": "Seattle", "region": "Washington", "region_code": "WA", "country_code": "US"},
    {"city": "São Paulo", "country": "Brazil", "country_code": "BR"},
)  # fmt: skip
COMPANIES = (
    "Initech",
    "Hooli",
    "Vandelay Industries",
    "Stark Robotics",
    "Wayne Automation",
    "Umbrella Systems",
    "Soylent Labs",
    "Cyberdyne",
    "Tyrell Corp",
    "Wonka Industries",
    "Massive Dynamic",
    "Aperture Science",
)
SOURCES = ("LinkedIn", "Referral", "Company website", "Indeed", "Agency", "Conference")
ORIGINS = {
    "LinkedIn": "SOURCED",
    "Referral": "REFERRED",
    "Company website": "APPLIED",
    "Indeed": "APPLIED",
    "Agency": "AGENCY",
    "Conference": "SOURCED",
}
MEETING_SUBJECTS = {
    "People": (
        "Intake meeting: new req",
        "Offer approval",
        "Sourcing session",
        "Agency check-in",
        "Candidate debrief",
        "Comp review",
    ),
    "Engineering": (
        "Design review",
        "Architecture review",
        "Incident retro",
        "Sprint planning",
        "Pairing session",
        "RFC discussion",
        "Roadmap sync",
    ),
    "Hardware": ("Board bring-up", "Supplier call", "Test rig review", "DFM review"),
    "Design": ("User research readout", "Design review", "Prototype walkthrough"),
    "Operations": ("Customer site call", "Deployment planning", "Spare parts review"),
    "Data": ("Model review", "Experiment readout", "Metrics deep dive", "Data quality sync"),
    "Sales": ("Pipeline review", "Customer call", "Deal desk", "QBR prep"),
    "Marketing": ("Launch planning", "Campaign review", "Messaging workshop"),
    "Finance": ("Month-end close", "Budget review", "Forecast sync"),
}
# Application statuses of the first candidates, in order, so every status is present and
# the interview stages are well populated whatever `seed_size` is.
STATUS_PLAN = [
    "SCREENING",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "THIRD_INTERVIEW",
    "NEW",
    "REVIEWING",
    "SUBMITTED",
    "BACKGROUND_CHECK",
    "OFFERED",
    "ACCEPTED",
    "HIRED",
    "REJECTED",
    "DECLINED",
    "WITHDRAWN",
    "SCREENING",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "THIRD_INTERVIEW",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "SCREENING",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "THIRD_INTERVIEW",
    "REVIEWING",
    "NEW",
    "REJECTED",
    "SCREENING",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
]
STATUS_WEIGHTS = {
    "NEW": 12,
    "REVIEWING": 10,
    "SCREENING": 9,
    "SUBMITTED": 3,
    "FIRST_INTERVIEW": 7,
    "SECOND_INTERVIEW": 5,
    "THIRD_INTERVIEW": 3,
    "BACKGROUND_CHECK": 1,
    "OFFERED": 1,
    "ACCEPTED": 1,
    "HIRED": 2,
    "REJECTED": 20,
    "DECLINED": 2,
    "WITHDRAWN": 3,
}
INTERVIEW_STAGES = ("SCREENING", "FIRST_INTERVIEW", "SECOND_INTERVIEW", "THIRD_INTERVIEW")
LATER_STAGES = ("BACKGROUND_CHECK", "OFFERED", "ACCEPTED", "HIRED")
REJECT_REASONS = (
    "Not enough relevant experience",
    "Compensation expectations",
    "Position filled",
    "Failed technical assessment",
)


def ascii_slug(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum() or c in ".-")


# --- building a world -----------------------------------------------------------------------


Row = tuple  # (object_type, doc, span_start, span_end, kind)


TICK = dt.timedelta(microseconds=1)


@functools.cache
def clock_time(hhmm):
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.time(hour, minute)


class BusyTimes:
    """One person's busy intervals, filed under every UTC day they touch, so that asking
    whether a stretch is free reads only those days (seeding 400 anchors in a test)."""

    def __init__(self):
        self.by_day = defaultdict(list)

    @staticmethod
    def _days(start, end):
        # Every time the builders handle is in UTC already.
        first = start.toordinal()
        last = (end - TICK).toordinal()
        return range(first, max(first, last) + 1)

    def add(self, start, end):
        for day in self._days(start, end):
            self.by_day[day].append((start, end))

    def free(self, start, end):
        by_day = self.by_day
        for day in self._days(start, end):
            for s, e in by_day.get(day, ()):
                if s < end and e > start:
                    return False
        return True


class Staff:
    """What a world's calendars have whatever the anchor: its people, their zones, work
    addresses and calendar ids, and how an event document is written."""

    def __init__(self, world: World):
        self.world = world
        self.cal_integration = integration_for_world(world.name, "calendar")
        self.people = {p.key: p for p in world.people}
        self.zones = {p.key: tzinfo(p.tz) for p in world.people}
        self.addresses = {
            p.key: p.email or f"{ascii_slug(p.first)}.{ascii_slug(p.last)}@{world.domain}"
            for p in world.people
        }
        self.names = {p.key: f"{p.first} {p.last}" for p in world.people}
        self.keys_by_email = {}
        for key, address in self.addresses.items():
            self.keys_by_email.setdefault(address, key)
        google = self.cal_integration.type == "googlecalendar"
        # Google's primary calendar id is its owner's address; Graph's is opaque.
        self.calendar_ids = {
            p.key: self.addresses[p.key]
            if google
            else make_id("outlook", f"{world.name}/calendar/{p.key}", 0)
            for p in world.people
        }
        self.busy = defaultdict(BusyTimes)  # person key → their busy times in UTC

    def event_id(self, key):
        return make_id(self.cal_integration.id_style, f"{self.world.name}/event/{key}", 0)

    def local(self, person_key, day, hhmm):
        tz = self.zones[person_key]
        return dt.datetime.combine(day, clock_time(hhmm), tzinfo=tz).astimezone(UTC)

    def person(self, key) -> Person:
        return self.people[key]

    def email(self, key):
        return self.addresses[key]

    def key_for_email(self, email):
        return self.keys_by_email.get(email)

    def free(self, key, start, end):
        return self.busy[key].free(start, end)

    def in_hours(self, key, start, end, first=8, last=18):
        tz = self.zones[key]
        ls, le = start.astimezone(tz), end.astimezone(tz)
        return (
            ls.weekday() < 5
            and ls.date() == le.date()
            and ls.hour >= first
            and (le.hour, le.minute) <= (last, 0)
        )

    def attendee(self, key, status="ACCEPTED"):
        item = {"email": self.email(key), "name": self.names[key], "required": True}
        if status:
            item["status"] = status
        return item

    def event_doc(
        self,
        key,
        owner,
        subject,
        start,
        end,
        *,
        attendees=(),
        all_day=False,
        is_free=False,
        status="CONFIRMED",
        notes=None,
        location=None,
        conference=False,
        private=False,
        recurrence=None,
        recurring_event_id=None,
        event_id=None,
    ):
        """One event on `owner`'s calendar, without its created/updated stamps. `start` and
        `end` are UTC datetimes, or dates for an all-day event. Returns (doc, span)."""
        tz = self.zones[owner]
        event_id = event_id or self.event_id(key)
        if all_day:
            start_at, end_at = start.isoformat(), end.isoformat()
            span = day_span(start, end, tz)
        else:
            start_at, end_at = format_instant(start), format_instant(end)
            span = (start, end)
        doc = {
            "id": event_id,
            "calendar_id": self.calendar_ids[owner],
            "subject": subject,
            "start_at": start_at,
            "end_at": end_at,
            "timezone": self.person(owner).tz,
            "is_all_day": all_day,
            "is_free": is_free,
            "is_private": private,
            "status": status,
        }
        if notes:
            doc["notes"] = notes
        if location:
            doc["location"] = location
        if attendees:
            doc["attendees"] = list(attendees)
            doc["organizer"] = {"email": self.email(owner), "name": self.names[owner]}
        if conference:
            doc["has_conference"] = True
            if self.cal_integration.conference_label:
                doc["conference"] = google_meet(f"{self.world.name}/{event_id}")
            else:
                doc["conference"] = [
                    {
                        "url": f"https://teams.sandbox.test/l/meetup-join/{event_id[-16:]}",
                        "label": "Microsoft Teams Meeting",
                    }
                ]
        if recurrence:
            doc["recurrence"] = recurrence
        if recurring_event_id:
            doc["recurring_event_id"] = recurring_event_id
        host = self.cal_integration.web_host
        doc["web_url"] = (
            f"https://{host}/event?eid={event_id}"
            if self.cal_integration.type == "googlecalendar"
            else f"https://{host}/calendar/item/{event_id}"
        )
        return doc, span

    def blocked(self, owner, doc, *, kind="single"):
        """The people whose time an event takes: its owner and every attendee who has not
        declined, unless it is free, canceled or a series master."""
        if kind == "series" or doc["is_free"] or doc["status"] == "CANCELED":
            return ()
        keys = [owner]
        for item in doc.get("attendees") or ():
            person = self.key_for_email(item.get("email"))
            if person and person != owner and item.get("status") != "REJECTED":
                keys.append(person)
        return tuple(keys)


@dataclass(frozen=True, slots=True)
class Placed:
    """A background event: its document without created/updated, and the draws that stamp
    them once the anchor is known (days before the event it was created, minutes earlier,
    days until its last update)."""

    owner: str
    day: dt.date  # the owner's local day, to clip the window by
    doc: dict
    span: tuple  # (start, end) in UTC
    span_text: tuple  # the same, formatted
    kind: str
    ages: tuple  # (days, minutes, days)
    stamps: tuple  # (planned, updated, created and updated text) unless the anchor clips
    blocks: tuple  # person keys whose time it takes
    filler: bool  # an ad-hoc event its owner would not hold on a day off


EPOCH_MONDAY = dt.date(2024, 1, 1)  # every-other-week meetings count their weeks from here


@functools.cache
def habits(world_name):
    """Each person's weekly habits, the same every week: focus and lunch days, and when
    their 1:1 with their manager is (weekday, local time)."""
    world = WORLDS[world_name]
    rng = random.Random(f"convene-sandbox/{world_name}/habits")  # noqa: S311
    out = {}
    for p in world.people:
        out[p.key] = {
            "focus_days": frozenset(rng.sample(range(5), rng.choice((1, 2, 2, 3)))),
            "lunch_days": frozenset(rng.sample(range(5), rng.choice((0, 1, 2, 3)))),
            "one_to_one": (
                rng.randrange(5),
                rng.choice(("10:30", "11:00", "13:30", "14:00", "15:00", "15:30")),
            ),
        }
    return out


def ritual_days(ritual, day):
    """Whether a ritual meets on `day`."""
    if WEEKDAYS[day.weekday()] not in ritual.days:
        return False
    return not ((day - EPOCH_MONDAY).days // 7) % ritual.interval


def ritual_attendees(staff, ritual):
    invited = ritual.attendees
    if invited == ("*",):  # the whole company
        invited = tuple(p.key for p in staff.world.people if p.key != ritual.organizer)
    attendees = []
    for key in (ritual.organizer, *invited):
        if not staff.person(key).active:
            continue
        status = "ACCEPTED"
        if key in ritual.declined:
            status = "REJECTED"
        elif key in ritual.tentative:
            status = "TENTATIVE"
        attendees.append(staff.attendee(key, status))
    return attendees


def one_to_one_subject(staff, p):
    return f"{staff.person(p.manager).first} / {p.first} 1:1"


class WeekBuilder(Staff):
    """The background of one week of a world's calendars: recurring meetings, 1:1s, focus
    blocks, lunches, ad-hoc meetings and reminders. It depends on the week alone, not on
    the anchor, so a date looks the same whichever day the sandbox is seeded on (as a real
    calendar does), and seeding consecutive anchors reuses the weeks they share."""

    def __init__(self, world: World, monday: dt.date):
        super().__init__(world)
        self.monday = monday
        self.rng = random.Random(f"convene-sandbox/{world.name}/week/{monday}")  # noqa: S311
        self.placed: list[Placed] = []

    def place(self, key, owner, subject, start, end, *, day, kind="single", filler=False,
              **fields):  # fmt: skip
        doc, span = self.event_doc(key, owner, subject, start, end, **fields)
        rng = self.rng
        ages = (rng.randint(2, 30), rng.randint(5, 600), rng.randint(0, 5))
        planned = span[0] - dt.timedelta(days=ages[0])
        created = planned - dt.timedelta(minutes=ages[1])
        updated = created + dt.timedelta(days=ages[2])
        stamps = (planned, updated, format_instant(created), format_instant(updated))
        blocks = self.blocked(owner, doc, kind=kind)
        for person in blocks:
            self.busy[person].add(*span)
        text = (format_instant(span[0]), format_instant(span[1]))
        self.placed.append(Placed(owner, day, doc, span, text, kind, ages, stamps, blocks, filler))

    def build(self):
        days = [self.monday + dt.timedelta(days=n) for n in range(7)]
        self.build_rituals(days)
        self.build_one_to_ones(days)
        self.build_fillers(days)
        return tuple(self.placed), dict(self.busy)

    def build_rituals(self, days):
        rng = self.rng
        for n, ritual in enumerate(self.world.rituals):
            owner = ritual.organizer
            attendees = ritual_attendees(self, ritual)
            length = dt.timedelta(minutes=ritual.minutes)
            series_id = self.event_id(f"series/{n}")
            location = ritual.location or self.world.video_location
            for day in days:
                if not ritual_days(ritual, day):
                    continue
                start = self.local(owner, day, ritual.time)
                # Now and then one is canceled or moved half an hour, as happens to every
                # team's meetings.
                roll = rng.random()
                status = "CANCELED" if roll < 0.04 else "CONFIRMED"
                moved = dt.timedelta(minutes=30) if 0.04 <= roll < 0.09 else dt.timedelta()
                self.place(
                    f"occ/{n}/{day.isoformat()}", owner, ritual.subject, start + moved,
                    start + moved + length, day=day, attendees=attendees, location=location,
                    conference=ritual.location is None, recurring_event_id=series_id,
                    event_id=f"{series_id}_{start.strftime('%Y%m%dT%H%M%SZ')}",
                    status=status, kind="occurrence",
                )  # fmt: skip

    def build_one_to_ones(self, days):
        for p in self.world.people:
            if not p.manager or not p.active:
                continue
            weekday, hhmm = habits(self.world.name)[p.key]["one_to_one"]
            day = days[weekday]
            series_id = self.event_id(f"1on1/{p.key}")
            start = self.local(p.manager, day, hhmm)
            self.place(
                f"1on1/{p.key}/{day.isoformat()}", p.manager, one_to_one_subject(self, p),
                start, start + dt.timedelta(minutes=30), day=day,
                attendees=[self.attendee(p.manager), self.attendee(p.key)], conference=True,
                private=True, recurring_event_id=series_id, kind="occurrence",
                event_id=f"{series_id}_{start.strftime('%Y%m%dT%H%M%SZ')}",
            )  # fmt: skip

    def build_fillers(self, days):
        """Focus blocks, lunches, ad-hoc meetings, holds and reminders around the
        recurring meetings."""
        rng = self.rng
        active = [p for p in self.world.people if p.active]
        by_department = defaultdict(list)
        for p in active:
            by_department[p.department].append(p.key)
        for p in active:
            habit = habits(self.world.name)[p.key]
            for day in days[:5]:
                stamp = day.isoformat()
                if day.weekday() in habit["focus_days"]:
                    hhmm = rng.choice(("09:00", "13:00", "14:00"))
                    start = self.local(p.key, day, hhmm)
                    end = start + dt.timedelta(hours=2)
                    if self.free(p.key, start, end):
                        self.place(
                            f"focus/{p.key}/{stamp}", p.key, "Focus time", start, end, day=day,
                            notes="Deep work. Please book around this.", filler=True,
                        )  # fmt: skip
                if day.weekday() in habit["lunch_days"]:
                    start = self.local(p.key, day, rng.choice(("12:00", "12:30")))
                    end = start + dt.timedelta(hours=1)
                    if self.free(p.key, start, end):
                        self.place(
                            f"lunch/{p.key}/{stamp}", p.key, "Lunch", start, end, day=day,
                            filler=True,
                        )  # fmt: skip
                for n in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    self.add_meeting(p, day, n, by_department)
                if day.weekday() == 4 and rng.random() < 0.5:
                    start = self.local(p.key, day, "16:45")
                    self.place(
                        f"reminder/{p.key}/{stamp}", p.key, "Reminder: submit expenses", start,
                        start + dt.timedelta(minutes=15), day=day, is_free=True, filler=True,
                    )  # fmt: skip

    def add_meeting(self, p, day, n, by_department):
        rng = self.rng
        minutes = rng.choice((30, 30, 45, 60))
        hhmm = f"{rng.randint(9, 16)}:{rng.choice(('00', '30'))}"
        start = self.local(p.key, day, hhmm)
        end = start + dt.timedelta(minutes=minutes)
        if not self.in_hours(p.key, start, end) or not self.free(p.key, start, end):
            return
        colleagues = [k for k in by_department[p.department] if k != p.key]
        others = [q.key for q in self.world.people if q.active and q.key != p.key]
        pool = colleagues if colleagues and rng.random() < 0.7 else others
        # Nobody gets invited in the middle of their night.
        pool = [k for k in pool if self.in_hours(k, start, end, first=7, last=20)]
        if not pool:
            return
        guests = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        attendees = [self.attendee(p.key)]
        for key in guests:
            roll = rng.random()
            status = (
                "ACCEPTED"
                if roll < 0.7
                else "TENTATIVE"
                if roll < 0.8
                else None
                if roll < 0.93
                else "REJECTED"
            )
            attendees.append(self.attendee(key, status))
        status = "CONFIRMED"
        subject = rng.choice(MEETING_SUBJECTS.get(p.department, MEETING_SUBJECTS["People"]))
        roll = rng.random()
        if roll < 0.06:
            status, subject = "TENTATIVE", f"Hold: {subject}"
        elif roll < 0.09:
            status = "CANCELED"
        self.place(
            f"meeting/{p.key}/{day.isoformat()}/{n}", p.key, subject, start, end, day=day,
            attendees=attendees, status=status, conference=rng.random() < 0.6,
            location=self.world.video_location if rng.random() < 0.6 else None, filler=True,
        )  # fmt: skip


@functools.lru_cache(maxsize=64)
def background_week(world_name, monday):
    """The background events of the week starting `monday`, and the busy times they make
    (cached: read, never changed)."""
    return WeekBuilder(WORLDS[world_name], monday).build()


class Builder(Staff):
    """Builds one world's records for an anchor date. Use `build_world` rather than this."""

    def __init__(self, world: World, anchor: dt.date, candidates: int):
        super().__init__(world)
        self.anchor = anchor
        self.candidates_wanted = candidates
        self.ats_integration = integration_for_world(world.name, "ats")
        self.t0 = dt.datetime.combine(anchor, dt.time(0), tzinfo=UTC)
        self.last_minute = self.t0 - dt.timedelta(minutes=1)
        self.first_day = anchor - dt.timedelta(days=PAST_DAYS)
        self.last_day = anchor + dt.timedelta(days=FUTURE_DAYS)  # exclusive
        # Seeded pseudo-random streams (S311): reproducible data is the point, not secrecy.
        seed = f"convene-sandbox/{world.name}/{anchor.isoformat()}"
        self.rng_people = random.Random(seed + "/people")  # noqa: S311
        self.rng_cal = random.Random(seed + "/calendar")  # noqa: S311
        self.rng_ats = random.Random(seed + "/ats")  # noqa: S311
        self.rng_bulk = random.Random(seed + "/bulk")  # noqa: S311
        self.numbers = itertools.count(1)
        self.ats: list[Row] = []
        self.calendar: list[Row] = []
        self.employees = {}  # key → HRIS employee doc
        self.calendars = {}  # key → calendar doc
        self.away = defaultdict(set)  # person key → local days they are off
        # The background weeks' busy times ({person key: BusyTimes}), by the UTC days
        # (ordinals) they may hold times of.
        self.week_busy = defaultdict(list)
        self.jobs = {}
        self.job_stages = {}  # job id → {status: stage name}
        self.emails_used = set()

    # ids and times

    def ats_id(self, kind, key):
        return make_id(
            self.ats_integration.id_style, f"{self.world.name}/{kind}/{key}", next(self.numbers)
        )

    def before_anchor(self, rng, min_days, max_days):
        """A timestamp between `min_days` and `max_days` days before the anchor."""
        minutes = rng.randint(int(min_days * 1440), int(max_days * 1440))
        return self.t0 - dt.timedelta(minutes=max(minutes, 1))

    def days(self):
        day = self.first_day
        while day < self.last_day:
            yield day
            day += DAY

    # people and calendars

    def build_people(self):
        rng = self.rng_people
        groups = {}
        for n, p in enumerate(self.world.people):
            if p.department not in groups:
                groups[p.department] = {
                    "id": self.ats_id("group", p.department),
                    "name": p.department,
                    "type": "DEPARTMENT",
                }
            created = self.before_anchor(rng, 200, 900)
            doc = {
                "id": self.ats_id("employee", p.key),
                "name": f"{p.first} {p.last}",
                "first_name": p.first,
                "last_name": p.last,
                "emails": [{"email": self.email(p.key), "type": "WORK"}],
                "telephones": [{"telephone": self.world.phone.format(n=10 + n), "type": "WORK"}],
                "title": p.title,
                "timezone": p.tz,
                "employment_status": "ACTIVE" if p.active else "INACTIVE",
                "employment_type": "FULL_TIME",
                "groups": [groups[p.department]],
                "language_locale": {"Europe/Berlin": "de-DE", "Europe/London": "en-GB"}.get(
                    p.tz, "en-US"
                ),
                "hired_at": format_instant(created),
                "created_at": format_instant(created),
                "updated_at": format_instant(self.before_anchor(rng, 1, 60)),
            }
            if not p.active:
                doc["terminated_at"] = format_instant(self.before_anchor(rng, 30, 60))
            self.employees[p.key] = doc
        for p in self.world.people:
            if p.manager:
                self.employees[p.key]["manager_id"] = self.employees[p.manager]["id"]
        for p in self.world.people:
            doc = self.employees[p.key]
            self.ats.append(("hris_employee", doc, None, None, None))
            if p.active:
                self.add_calendar(p)

    def add_calendar(self, p: Person):
        email = self.email(p.key)
        created = self.employees[p.key]["created_at"]
        doc = {
            # The name is the owner's address for both vendors, so Convene can match people
            # by email.
            "id": self.calendar_ids[p.key],
            "name": email,
            "description": f"{p.first} {p.last}",
            "is_primary": True,
            "timezone": p.tz,
            "created_at": created,
            "updated_at": created,
            "_owner_email": email,
            "_owner_name": f"{p.first} {p.last}",
            "_person": p.key,
        }
        self.calendars[p.key] = doc
        self.calendar.append(("calendar_calendar", doc, None, None, None))

    # events

    def free(self, key, start, end):
        if not self.busy[key].free(start, end):
            return False
        for day in BusyTimes._days(start, end):
            for week in self.week_busy.get(day, ()):
                times = week.get(key)
                if times is None:
                    continue
                for s, e in times.by_day.get(day, ()):
                    if s < end and e > start:
                        return False
        return True

    def stamp(self, doc, span, span_text, kind, ages, blocks, stamps=None):
        """Add an event with its created/updated times: never after the anchor's midnight.
        `stamps` are the times already worked out for when the anchor does not clip them."""
        if stamps is not None and stamps[0] <= self.t0 and stamps[1] < self.last_minute:
            created_at, updated_at = stamps[2], stamps[3]
        else:
            days, minutes, later = ages
            created = min(span[0] - dt.timedelta(days=days), self.t0)
            created -= dt.timedelta(minutes=minutes)
            updated = min(created + dt.timedelta(days=later), self.t0 - dt.timedelta(minutes=1))
            created_at = format_instant(created)
            updated_at = format_instant(max(updated, created))
        doc = {**doc, "created_at": created_at, "updated_at": updated_at}
        self.calendar.append(("calendar_event", doc, *span_text, kind))
        for person in blocks:
            self.busy[person].add(*span)
        return doc

    def add_event(self, key, owner, subject, start, end, *, kind="single", block=True,
                  span=None, **fields):  # fmt: skip
        """One event of this anchor on `owner`'s calendar (see `Staff.event_doc`). Marks
        the owner and accepting attendees busy when it blocks."""
        doc, own_span = self.event_doc(key, owner, subject, start, end, **fields)
        span = span or own_span
        rng = self.rng_cal
        ages = (rng.randint(2, 30), rng.randint(5, 600), rng.randint(0, 5))
        blocks = self.blocked(owner, doc, kind=kind) if block else ()
        text = (format_instant(span[0]), format_instant(span[1]))
        return self.stamp(doc, span, text, kind, ages, blocks)

    def build_background(self):
        """The window's weeks of background events; a person's ad-hoc events are left off
        the days they are away."""
        monday = self.first_day - dt.timedelta(days=self.first_day.weekday())
        while monday < self.last_day:
            # Their busy times count whole weeks, a little past the window's edges and the
            # days off: finding a time for an interview errs on the safe side.
            placed_events, busy = background_week(self.world.name, monday)
            first = monday.toordinal()
            for day in range(first - 1, first + 8):  # local days reach a UTC day either side
                self.week_busy[day].append(busy)
            for placed in placed_events:
                if not self.first_day <= placed.day < self.last_day:
                    continue
                if placed.filler and placed.day in self.away[placed.owner]:
                    continue
                self.stamp(
                    placed.doc, placed.span, placed.span_text, placed.kind, placed.ages, (),
                    placed.stamps,
                )  # fmt: skip
            monday += dt.timedelta(days=7)

    def build_series(self):
        """The series behind the recurring meetings and 1:1s, spanning the window's
        occurrences (the occurrences themselves are background)."""
        for n, ritual in enumerate(self.world.rituals):
            owner = ritual.organizer
            starts = [
                self.local(owner, day, ritual.time)
                for day in self.days()
                if ritual_days(ritual, day)
            ]
            if not starts:
                continue
            length = dt.timedelta(minutes=ritual.minutes)
            recurrence = [
                {
                    "frequency": "WEEKLY",
                    "interval": ritual.interval,
                    "on_days": list(ritual.days),
                    "week_start": "MO",
                    "timezone": self.person(owner).tz,
                }
            ]
            self.add_event(
                f"series/{n}", owner, ritual.subject, starts[0], starts[0] + length,
                attendees=ritual_attendees(self, ritual),
                location=ritual.location or self.world.video_location,
                conference=ritual.location is None, recurrence=recurrence,
                event_id=self.event_id(f"series/{n}"), kind="series",
                span=(starts[0], starts[-1] + length),
            )  # fmt: skip
        for p in self.world.people:
            if not p.manager or not p.active:
                continue
            weekday, hhmm = habits(self.world.name)[p.key]["one_to_one"]
            starts = [
                self.local(p.manager, d, hhmm) for d in self.days() if d.weekday() == weekday
            ]
            length = dt.timedelta(minutes=30)
            recurrence = [
                {
                    "frequency": "WEEKLY",
                    "interval": 1,
                    "on_days": [WEEKDAYS[weekday]],
                    "timezone": self.person(p.manager).tz,
                }
            ]
            self.add_event(
                f"1on1/{p.key}", p.manager, one_to_one_subject(self, p), starts[0],
                starts[0] + length,
                attendees=[self.attendee(p.manager), self.attendee(p.key)], conference=True,
                recurrence=recurrence, event_id=self.event_id(f"1on1/{p.key}"), kind="series",
                private=True, span=(starts[0], starts[-1] + length),
            )  # fmt: skip

    def day_off(self, key, owner, subject, first, after, **fields):
        """An all-day event that takes the whole of `owner`'s local days."""
        self.add_event(key, owner, subject, first, after, all_day=True, **fields)
        day = first
        while day < after:
            self.away[owner].add(day)
            day += DAY

    def build_days_off(self):
        rng = self.rng_cal
        active = [p for p in self.world.people if p.active]
        # Regional public holidays, one whole local day each.
        for p in active:
            offset, name = self.world.holidays.get(p.tz, (None, None))
            if offset is None:
                continue
            day = self.anchor + dt.timedelta(days=offset)
            while day.weekday() >= 5:
                day += DAY
            self.day_off(f"holiday/{p.key}", p.key, name, day, day + DAY)
        # Two people take a few days off; one is out this coming week.
        for n, p in enumerate(rng.sample(active, 2)):
            first = self.anchor + dt.timedelta(days=(3 if n == 0 else rng.randint(10, 40)))
            while first.weekday() >= 5:
                first += DAY
            length = rng.randint(2, 5)
            subject = rng.choice(("Out of office", "Vacation", "OOO – family visit"))
            self.day_off(
                f"ooo/{p.key}", p.key, subject, first, first + dt.timedelta(days=length),
                notes="Limited access to email.",
            )  # fmt: skip
        # A travel day: an overnight flight, then two days working from another office.
        traveller = next(
            p for p in active if p.tz == "America/New_York" and p.key != self.world.owner
        )
        day = self.anchor + dt.timedelta(days=8)
        while day.weekday() >= 4:
            day += DAY
        depart = self.local(traveller.key, day, "18:30")
        arrive = depart + dt.timedelta(hours=7, minutes=10)
        self.add_event(
            f"flight/{traveller.key}", traveller.key, "✈ Flight BA 178 (JFK → LHR)",
            depart, arrive, location="JFK Terminal 8", notes="Confirmation ABC123",
        )  # fmt: skip
        self.add_event(
            f"travel/{traveller.key}", traveller.key, "Working from the London office",
            day + DAY, day + 3 * DAY, all_day=True, is_free=True,
        )  # fmt: skip
        # Free all-day reminders: birthdays and pay days never block time.
        for p in rng.sample(active, 3):
            day = self.anchor + dt.timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS - 1))
            self.add_event(
                f"birthday/{p.key}", p.key, f"🎂 {p.first}'s birthday", day, day + DAY,
                all_day=True, is_free=True,
            )  # fmt: skip
        for p in active:
            for month_offset in (0, 1):
                month = (self.anchor.month - 1 + month_offset) % 12 + 1
                year = self.anchor.year + (self.anchor.month - 1 + month_offset) // 12
                day = dt.date(year, month, 25)
                if self.first_day <= day < self.last_day:
                    self.add_event(
                        f"payday/{p.key}/{month_offset}", p.key, "Pay day", day, day + DAY,
                        all_day=True, is_free=True,
                    )  # fmt: skip

    # ATS

    def build_jobs(self):
        rng = self.rng_ats
        for spec in self.world.jobs:
            created = self.before_anchor(rng, 60, 160)
            group = self.employees[spec.hiring_manager]["groups"][0]
            doc = {
                "id": self.ats_id("job", spec.key),
                "name": spec.name,
                "description": f"{self.world.company} is hiring a {spec.name} "
                f"({spec.department}, {spec.city}).",
                "status": spec.status,
                "employment_type": spec.employment_type,
                "remote": spec.remote,
                "addresses": [
                    {
                        "city": spec.city,
                        "region": spec.region,
                        "region_code": spec.region_code,
                        "country": spec.country,
                        "country_code": spec.country_code,
                    }
                ],
                "groups": [{**group, "name": spec.department}],
                "recruiter_ids": [self.employees[spec.recruiter]["id"]],
                "hiring_manager_ids": [self.employees[spec.hiring_manager]["id"]],
                "number_of_openings": spec.openings,
                "openings": [
                    {"status": "OPEN" if spec.status == "OPEN" else "CLOSED"}
                    for _ in range(spec.openings)
                ],
                "public_job_urls": [
                    f"https://careers.{self.world.domain}/jobs/{ascii_slug(spec.key)}"
                ],
                "created_at": format_instant(created),
                "updated_at": format_instant(self.before_anchor(rng, 1, 20)),
            }
            if spec.status == "CLOSED":
                doc["closed_at"] = format_instant(self.before_anchor(rng, 5, 15))
            self.jobs[spec.key] = (spec, doc)
            self.ats.append(("ats_job", doc, None, None, None))

    def build_stages(self):
        created = format_instant(self.t0 - dt.timedelta(days=400))
        per_job = self.ats_integration.type == "greenhouse"
        scopes = (
            [(spec.key, doc["id"]) for spec, doc in self.jobs.values()]
            if per_job
            else [(None, None)]
        )
        for job_key, job_id in scopes:
            names = {}
            for status, name in self.world.stages:
                doc = {
                    "id": self.ats_id("stage", f"{job_key}/{status}"),
                    "status": status,
                    "original_status": name,
                    "created_at": created,
                    "updated_at": created,
                }
                if job_id:
                    doc["job_id"] = job_id
                names[status] = name
                self.ats.append(("ats_applicationstatus", doc, None, None, None))
            for spec, doc in self.jobs.values():
                if job_key in (None, spec.key):
                    self.job_stages[doc["id"]] = names

    def candidate_doc(self, rng, n, first, last, job_doc, recruiter_id, *, bulk=False):
        email_name = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{email_name}@{rng.choice(CANDIDATE_DOMAINS)}"
        if bulk or email in self.emails_used:
            email = f"{email_name}.{n}@{CANDIDATE_DOMAINS[n % len(CANDIDATE_DOMAINS)]}"
        self.emails_used.add(email)
        created = self.before_anchor(rng, 3, 75)
        source = rng.choice(SOURCES)
        cid = self.ats_id("candidate", f"{'bulk' if bulk else 'c'}{n}")
        doc = {
            "id": cid,
            "name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "emails": [{"email": email, "type": "HOME"}],
            "telephones": [{"telephone": f"+1 555 01{n % 100:02d}", "type": "MOBILE"}],
            "title": rng.choice(("Software Engineer", "Senior Engineer", "Designer", "Analyst",
                                 "Technician", "Manager", "Consultant", "Researcher")),
            "company_name": rng.choice(COMPANIES),
            "link_urls": [f"https://www.linkedin.example/in/{email_name}-{n}"],
            "sources": [source],
            "origin": ORIGINS[source],
            "tags": rng.sample(("python", "c++", "ros", "remote-ok", "relocation", "visa"),
                               rng.randint(0, 2)),
            "job_ids": [job_doc["id"]],
            "user_id": recruiter_id,
            "user_ids": [recruiter_id],
            "web_url": f"https://{self.ats_integration.web_host}/people/{cid}",
            **({"address": address} if (address := _address_of(n)) else {}),
            "created_at": format_instant(created),
            "updated_at": format_instant(max(created, self.before_anchor(rng, 0.1, 3))),
        }  # fmt: skip
        return doc, created, source

    def application_doc(self, rng, candidate, job_doc, status, created, source, key):
        names = self.job_stages[job_doc["id"]]
        updated = max(created, self.before_anchor(rng, 0.1, 10))
        doc = {
            "id": self.ats_id("application", key),
            "candidate_id": candidate["id"],
            "job_id": job_doc["id"],
            "status": status,
            "original_status": names[status],
            "applied_at": format_instant(created),
            "source": source,
            "user_id": job_doc["recruiter_ids"][0],
            "created_at": format_instant(created),
            "updated_at": format_instant(updated),
        }
        if status in ("REJECTED", "DECLINED", "WITHDRAWN"):
            doc["rejected_at"] = format_instant(updated)
            if status == "REJECTED":
                doc["rejected_reason"] = rng.choice(REJECT_REASONS)
        if status == "HIRED":
            doc["hired_at"] = format_instant(updated)
        return doc

    def build_candidates(self):
        rng = self.rng_ats
        open_jobs = [doc for spec, doc in self.jobs.values() if spec.status == "OPEN"]
        closed_jobs = [doc for spec, doc in self.jobs.values() if spec.status != "OPEN"]
        applications = []
        base = min(self.candidates_wanted, self.world.candidates)
        for n in range(base):
            status = STATUS_PLAN[n] if n < len(STATUS_PLAN) else self.weighted_status(rng)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            job = (
                rng.choice(closed_jobs)
                if closed_jobs and status in ("HIRED", "REJECTED") and rng.random() < 0.3
                else open_jobs[n % len(open_jobs)]
            )
            candidate, created, source = self.candidate_doc(
                rng, n, first, last, job, job["recruiter_ids"][0]
            )
            app = self.application_doc(rng, candidate, job, status, created, source, f"a{n}")
            if n == 5:  # a candidate in two pipelines
                other = open_jobs[(n + 1) % len(open_jobs)]
                candidate["job_ids"].append(other["id"])
                second = self.application_doc(
                    rng, candidate, other, "SCREENING", created, source, f"a{n}b"
                )
                self.ats.append(("ats_application", second, None, None, None))
                applications.append((candidate, second))
            self.ats.append(("ats_candidate", candidate, None, None, None))
            self.ats.append(("ats_application", app, None, None, None))
            applications.append((candidate, app))
        self.build_odd_candidates(open_jobs)
        return applications

    def weighted_status(self, rng):
        statuses = list(STATUS_WEIGHTS)
        return rng.choices(statuses, weights=[STATUS_WEIGHTS[s] for s in statuses])[0]

    def build_odd_candidates(self, open_jobs):
        rng = random.Random(f"{self.world.name}/{self.anchor.isoformat()}/odd")  # noqa: S311
        job = open_jobs[0]
        # No email address at all (a phone screen booked by a recruiter): Convene cannot
        # send this person a link.
        candidate, created, source = self.candidate_doc(
            rng, 900, "Kofi", "Mensah", job, job["recruiter_ids"][0]
        )
        candidate["emails"] = []
        app = self.application_doc(rng, candidate, job, "SCREENING", created, source, "odd1")
        self.ats += [("ats_candidate", candidate, None, None, None)]
        self.ats += [("ats_application", app, None, None, None)]
        # A status outside Unified's enum (enums are open: the SDK keeps unknown strings),
        # and an applied_at without a zone designator, as some vendors send.
        candidate, created, source = self.candidate_doc(
            rng, 901, "José", "Ñúñez-O'Hara", job, job["recruiter_ids"][0]
        )
        app = self.application_doc(rng, candidate, job, "REVIEWING", created, source, "odd2")
        app["status"] = "ON_HOLD"
        app["original_status"] = "On hold (visa sponsorship)"
        app["applied_at"] = app["applied_at"].removesuffix("Z")
        self.ats += [("ats_candidate", candidate, None, None, None)]
        self.ats += [("ats_application", app, None, None, None)]

    def build_bulk_candidates(self):
        """The size knob: plain candidates with one application each, made fast."""
        extra = self.candidates_wanted - min(self.candidates_wanted, self.world.candidates)
        if extra <= 0:
            return
        rng = self.rng_bulk
        open_jobs = [doc for spec, doc in self.jobs.values() if spec.status == "OPEN"]
        statuses = list(STATUS_WEIGHTS)
        weights = [STATUS_WEIGHTS[s] for s in statuses]
        for n in range(extra):
            job = open_jobs[n % len(open_jobs)]
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], rng.choice(LAST_NAMES)
            candidate, created, source = self.candidate_doc(
                rng, n, first, last, job, job["recruiter_ids"][0], bulk=True
            )
            status = rng.choices(statuses, weights=weights)[0]
            app = self.application_doc(rng, candidate, job, status, created, source, f"b{n}")
            self.ats.append(("ats_candidate", candidate, None, None, None))
            self.ats.append(("ats_application", app, None, None, None))

    # interviews

    def job_spec(self, job_id):
        return next(spec for spec, doc in self.jobs.values() if doc["id"] == job_id)

    def panel(self, spec, stage, rng):
        _name, _minutes, size = self.world.rounds[stage]
        if size == 0:
            return [spec.recruiter]
        if size == -1:
            return [spec.hiring_manager]
        pool = [k for k in spec.interviewers if self.person(k).active]
        return rng.sample(pool, min(size, len(pool)))

    def find_slot(self, people, minutes, first_day, last_day, rng):
        """A start time where every person is inside their working hours and free."""
        span = (last_day - first_day).days
        # People whose working hours (8:00 to 18:00) never meet get no time: not worth the
        # tries.
        noon = dt.datetime.combine(first_day, dt.time(12), tzinfo=UTC)
        offsets = [noon.astimezone(self.zones[k]).utcoffset() for k in people]
        if max(offsets) - min(offsets) > dt.timedelta(hours=10, minutes=-minutes):
            return None
        for _ in range(80):
            day = first_day + dt.timedelta(days=rng.randrange(max(span, 1)))
            if day.weekday() >= 5:
                continue
            start = self.local(people[0], day, f"{rng.randint(9, 16)}:{rng.choice(('00', '30'))}")
            end = start + dt.timedelta(minutes=minutes)
            if all(self.in_hours(k, start, end) and self.free(k, start, end) for k in people):
                return start, end
        return None

    def build_interviews(self, applications):
        rng = self.rng_ats
        canceled_done = False
        for candidate, app in applications:
            status = app["status"]
            spec = self.job_spec(app["job_id"])
            if spec.status != "OPEN":
                continue
            if status in INTERVIEW_STAGES:
                done = INTERVIEW_STAGES[: INTERVIEW_STAGES.index(status)]
                current = status
            elif status in LATER_STAGES[:2]:
                done, current = INTERVIEW_STAGES, None
            elif status == "REJECTED" and rng.random() < 0.5:
                done, current = INTERVIEW_STAGES[:2], None
            else:
                continue
            # Past rounds, oldest first, spread over the last three weeks.
            n_done = len(done)
            for i, stage in enumerate(done):
                lo = PAST_DAYS - 1 - i * (PAST_DAYS - 2) // max(n_done, 1)
                hi = max(lo - (PAST_DAYS - 2) // max(n_done, 1), 1)
                first = self.anchor - dt.timedelta(days=lo)
                last = self.anchor - dt.timedelta(days=hi - 1)
                outcome = "COMPLETE"
                if i == n_done - 1 and current is None and rng.random() < 0.3:
                    outcome = "AWAITING_FEEDBACK"
                self.add_interview(candidate, app, spec, stage, outcome, first, last, rng)
            if current is None:
                continue
            roll = rng.random()
            if roll < 0.55:
                first = self.anchor + DAY
                last = self.anchor + dt.timedelta(days=15)
                outcome = "SCHEDULED"
                if not canceled_done and roll < 0.08:
                    outcome, canceled_done = "CANCELED", True
            elif roll < 0.8:
                first = self.anchor - dt.timedelta(days=3)
                last = self.anchor
                outcome = "AWAITING_FEEDBACK"
            else:
                self.add_interview(
                    candidate, app, spec, current, "NEEDS_SCHEDULING", None, None, rng
                )
                continue
            self.add_interview(candidate, app, spec, current, outcome, first, last, rng)

    def add_interview(self, candidate, app, spec, stage, status, first, last, rng):
        name, minutes, _size = self.world.rounds[stage]
        panel = self.panel(spec, stage, rng)
        key = f"{app['id']}/{stage}"
        doc = {
            "id": self.ats_id("interview", key),
            "application_id": app["id"],
            "candidate_id": candidate["id"],
            "job_id": app["job_id"],
            "status": status,
            "user_ids": [self.employees[k]["id"] for k in panel],
        }
        created = self.before_anchor(rng, 1, PAST_DAYS + 5)
        updated = created
        if status != "NEEDS_SCHEDULING":
            # The recruiter sends the invitation from their calendar when the time suits
            # them too; across far-apart zones the first interviewer sends it instead.
            organizer = spec.recruiter
            slot = self.find_slot([*panel, organizer], minutes, first, last, rng)
            if slot is None:
                organizer = panel[0]
                slot = self.find_slot(panel, minutes, first, last, rng)
            if slot is None:
                return
            start, end = slot
            created = min(created, start - dt.timedelta(days=2))
            updated = (
                min(start + dt.timedelta(hours=rng.randint(1, 30)), self.t0)
                if (status in ("COMPLETE", "AWAITING_FEEDBACK"))
                else created
            )
            event = self.interview_event(
                key, organizer, candidate, spec, name, panel, start, end, status
            )
            doc.update(
                start_at=format_instant(start),
                end_at=format_instant(end),
                location=self.world.video_location,
                external_event_xref=event["id"],
            )
            if event.get("conference"):
                doc["meeting_url"] = event["conference"][0]["url"]
        doc["created_at"] = format_instant(created)
        doc["updated_at"] = format_instant(max(created, updated))
        self.ats.append(("ats_interview", doc, None, None, None))
        if status == "COMPLETE":
            for person in panel:
                self.add_scorecard(doc, person, app, rng)

    def interview_event(self, key, owner, candidate, spec, round_name, panel, start, end, status):
        attendees = [self.attendee(owner)]
        future = start > self.t0
        for person in panel:
            if person == owner:
                continue
            answer = "ACCEPTED"
            if future and self.rng_cal.random() < 0.3:
                answer = self.rng_cal.choice((None, "TENTATIVE"))
            attendees.append(self.attendee(person, answer))
        if candidate["emails"]:
            attendees.append(
                {"email": candidate["emails"][0]["email"], "name": candidate["name"],
                 "required": True, "status": "ACCEPTED"}
            )  # fmt: skip
        return self.add_event(
            f"interview/{key}", owner,
            f"Interview: {candidate['name']} – {spec.name} ({round_name})",
            start, end, attendees=attendees, conference=True,
            location=self.world.video_location,
            notes=f"{round_name} for {spec.name}. Scorecard link in {self.ats_integration.name}.",
            status="CANCELED" if status == "CANCELED" else "CONFIRMED",
        )  # fmt: skip

    def add_scorecard(self, interview, person, app, rng):
        recommendation = rng.choices(
            ("STRONG_YES", "YES", "NO", "DEFINITELY_NO"),
            weights=(2, 5, 2, 1) if app["status"] != "REJECTED" else (0, 1, 4, 3),
        )[0]
        created = min(
            dt.datetime.fromisoformat(interview["end_at"])
            + dt.timedelta(hours=rng.randint(1, 20)),
            self.t0 - dt.timedelta(minutes=5),
        )
        doc = {
            "id": self.ats_id("scorecard", f"{interview['id']}/{person}"),
            "application_id": app["id"],
            "candidate_id": interview["candidate_id"],
            "job_id": interview["job_id"],
            "interview_id": interview["id"],
            "interviewer_id": self.employees[person]["id"],
            "recommendation": recommendation,
            "comment": {
                "STRONG_YES": "Outstanding. Would love to work with them.",
                "YES": "Solid on fundamentals; a few gaps we can coach.",
                "NO": "Struggled with the core problem; not a fit for this level.",
                "DEFINITELY_NO": "Significant concerns about depth and communication.",
            }[recommendation],
            "questions": [
                {"text": "Technical ability", "answer": rng.choice(("Strong", "Mixed", "Weak"))},
                {"text": "Communication", "answer": rng.choice(("Clear", "OK", "Unclear"))},
            ],
            "created_at": format_instant(created),
            "updated_at": format_instant(created),
        }
        self.ats.append(("ats_scorecard", doc, None, None, None))

    def build_activities(self, applications):
        rng = self.rng_ats
        notes = (
            ("Phone screen notes", "Motivated by the mission; notice period four weeks."),
            ("Sourcing note", "Reached out after the conference talk; replied same day."),
            ("Compensation", "Expecting a range at the top of band; flexible on equity."),
        )
        for n, (candidate, app) in enumerate(applications[:12]):
            title, text = notes[n % len(notes)]
            created = self.before_anchor(rng, 1, 20)
            doc = {
                "id": self.ats_id("activity", f"{app['id']}/note"),
                "type": "NOTE",
                "title": title,
                "description": text,
                "is_private": n % 4 == 0,
                "candidate_id": candidate["id"],
                "application_id": app["id"],
                "job_id": app["job_id"],
                "user_ids": [app["user_id"]],
                "created_at": format_instant(created),
                "updated_at": format_instant(created),
            }
            self.ats.append(("ats_activity", doc, None, None, None))

    def build(self):
        self.build_people()
        self.build_series()
        self.build_days_off()
        self.build_background()
        self.build_jobs()
        self.build_stages()
        applications = self.build_candidates()
        self.build_interviews(applications)
        self.build_activities(applications)
        self.build_bulk_candidates()
        return self


@functools.lru_cache(maxsize=4)
def build_world(name, anchor, seed_size=None):
    """A world's records for an anchor date. Cached: resets and Connect reuse the build
    (the rows are only ever read, never changed in place)."""
    world = WORLDS[name]
    size = world.candidates if seed_size is None or name != "acme" else seed_size
    return Builder(world, anchor, size).build()


# --- seeding a store ------------------------------------------------------------------------


def connection_doc(connection_id, integration, *, workspace_id, external_xref, created_at,
                   permissions=None, environment="Production", world=None,
                   primary_calendar_id=None):  # fmt: skip
    doc = {
        "id": connection_id,
        "workspace_id": workspace_id,
        "integration_type": integration.type,
        "integration_name": integration.name,
        "categories": integration.categories,
        "permissions": list(permissions if permissions is not None else integration.permissions),
        "external_xref": external_xref,
        "environment": environment,
        "is_paused": False,
        "last_healthy_at": created_at,
        "created_at": created_at,
        "updated_at": created_at,
        "_world": world or integration.world,
    }
    if primary_calendar_id:
        doc["_primary_calendar_id"] = primary_calendar_id
    return doc


def world_rows(builder, category, personal_email=None):
    """The rows a connection of `category` to this world holds. A personal calendar
    connection holds only that person's calendar and the events on it or inviting them
    (re-homed on their calendar, as an invitation appears in the invitee's own calendar)."""
    if category == "ats":
        return list(builder.ats)
    if personal_email is None:
        return list(builder.calendar)
    calendar = next(
        doc for t, doc, *_ in builder.calendar
        if t == "calendar_calendar" and doc["_owner_email"] == personal_email
    )  # fmt: skip
    rows = [("calendar_calendar", calendar, None, None, None)]
    for object_type, doc, s, e, kind in builder.calendar:
        if object_type != "calendar_event":
            continue
        invited = any(a.get("email") == personal_email for a in doc.get("attendees") or ())
        if doc["calendar_id"] == calendar["id"] or invited:
            rows.append((object_type, {**doc, "calendar_id": calendar["id"]}, s, e, kind))
    return rows


def primary_calendar(builder, personal_email=None):
    key = builder.key_for_email(personal_email) if personal_email else builder.world.owner
    return builder.calendars[key]["id"]


def seed(store, *, anchor, seed_size=DEFAULT_SEED_SIZE, workspace_id):
    """Wipe the store and load both worlds with their four pre-seeded connections."""
    store.wipe()
    store.set_meta("seed", {"anchor": anchor.isoformat(), "seed_size": seed_size})
    created = format_instant(dt.datetime.combine(anchor, dt.time(0), tzinfo=UTC) - 90 * DAY)
    for name, world in WORLDS.items():
        builder = build_world(name, anchor, seed_size)
        for category, connection_id in world.connections.items():
            integration = integration_for_world(name, category)
            store.bulk_insert(connection_id, world_rows(builder, category))
            doc = connection_doc(
                connection_id,
                integration,
                workspace_id=workspace_id,
                external_xref=name,
                created_at=created,
                primary_calendar_id=primary_calendar(builder) if category == "calendar" else None,
            )
            store.bulk_insert(GLOBAL, [("unified_connection", doc, None, None, None)])


def seeded_anchor(store):
    info = store.meta("seed") or {}
    return dt.date.fromisoformat(info["anchor"]) if "anchor" in info else None


def add_connection(store, integration_type, *, workspace_id, external_xref=None,
                   permissions=None, environment="Production", personal_email=None):  # fmt: skip
    """A new connection (what Connect creates): a fresh copy of the integration's world."""
    integration = INTEGRATIONS[integration_type]
    info = store.meta("seed") or {}
    anchor = dt.date.fromisoformat(info.get("anchor") or dt.datetime.now(UTC).date().isoformat())
    builder = build_world(integration.world, anchor, info.get("seed_size"))
    number = store.next_number("connections")
    connection_id = make_id("hex24", f"connection/{number}/{integration_type}", 0)
    store.bulk_insert(
        connection_id, world_rows(builder, integration.category, personal_email=personal_email)
    )
    doc = connection_doc(
        connection_id,
        integration,
        workspace_id=workspace_id,
        external_xref=external_xref,
        created_at=store.now(),
        permissions=permissions,
        environment=environment,
        primary_calendar_id=primary_calendar(builder, personal_email)
        if integration.category == "calendar"
        else None,
    )
    if personal_email:
        doc["_personal_email"] = personal_email
    return store.insert(GLOBAL, "unified_connection", doc)


def people(world_name):
    """(name, email, zone) of a world's active employees, for the consent page."""
    world = WORLDS[world_name]
    out = []
    for p in world.people:
        if p.active:
            email = p.email or f"{ascii_slug(p.first)}.{ascii_slug(p.last)}@{world.domain}"
            out.append((f"{p.first} {p.last}", email, p.tz))
    return out
