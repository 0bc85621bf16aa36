"""The four vendors the sandbox imitates, and what each of them can and cannot do.

greenhouse (ATS, world acme)
    interviews: create, update, delete; scorecards: create; activities: create.
    Pipeline stages are per job (`job_id` on each AtsStatus).
lever (ATS, world globex)
    interviews: read and delete only; POST/PUT/PATCH answer 501
    "createAtsInterview is not supported by lever" (update…, patch… likewise);
    scorecards: no create (501); activities: create. Stages are global (no `job_id`).
googlecalendar (calendar, world acme)
    `has_conference: true` attaches a Google Meet link
    (conference [{url: "https://meet.sandbox.test/xxx-xxxx-xxx", label: "Google Meet"}]);
    calendar ids are their owners' email addresses.
microsoftoutlook (calendar, world globex)
    `has_conference: true` → 400 "conference is not supported by microsoftoutlook";
    calendar ids are opaque. Seeded meetings still carry Teams links.

How Unified reports an unsupported operation is unconfirmed (docs/unified.md §14.2); the
sandbox answers 501 with `{"message": "<sdkOperation> is not supported by <type>"}`, and 400
for an unsupported field value. Each connection's `permissions` reflect the differences: Lever
has no `ats_scorecard_write`; it keeps `ats_interview_write` because removal is a write it
supports (create and update still answer 501).

Object ids imitate each vendor's style (Greenhouse numbers, Lever UUIDs, Google's base32
event ids, Outlook's long opaque ids); Unified treats them as opaque strings, and so must
Convene.
"""

import base64
import hashlib
import uuid
from dataclasses import dataclass

ATS_PERMISSIONS = (
    "ats_candidate_read",
    "ats_candidate_write",
    "ats_application_read",
    "ats_application_write",
    "ats_applicationstatus_read",
    "ats_job_read",
    "ats_interview_read",
    "ats_interview_write",
    "ats_scorecard_read",
    "ats_scorecard_write",
    "ats_activity_read",
    "ats_activity_write",
    "hris_employee_read",
    "webhook",
)
CALENDAR_PERMISSIONS = (
    "calendar_calendar_read",
    "calendar_event_read",
    "calendar_event_write",
    "calendar_busy_read",
    "webhook",
)


@dataclass(frozen=True)
class Integration:
    type: str
    name: str
    category: str
    world: str
    id_style: str
    color: str
    permissions: tuple[str, ...]
    unsupported: frozenset[str] = frozenset()  # SDK operation names answered with 501
    conference_label: str | None = None  # has_conference creates a meeting of this kind
    web_host: str = ""
    shares: str = ""  # what the consent page says will be shared

    @property
    def categories(self):
        return [self.category]

    def api_object(self, base_url):
        """The Integration object of `GET /unified/integration/workspace/{id}`."""
        return {
            "type": self.type,
            "name": self.name,
            "categories": self.categories,
            "logo_url": f"{base_url}/sandbox/logo/{self.type}.svg",
            "color": self.color,
            "text_color": "#ffffff",
            "is_active": True,
            "web_url": f"https://{self.web_host}",
        }


INTEGRATIONS = {
    "greenhouse": Integration(
        type="greenhouse",
        name="Greenhouse",
        category="ats",
        world="acme",
        id_style="numeric",
        color="#24a47f",
        permissions=ATS_PERMISSIONS,
        web_host="app.greenhouse.sandbox.test",
        shares="jobs, candidates, applications and pipeline stages; interviews and "
        "scorecards (read and write); notes; your organisation's users",
    ),
    "lever": Integration(
        type="lever",
        name="Lever",
        category="ats",
        world="globex",
        id_style="uuid",
        color="#2d3648",
        permissions=tuple(p for p in ATS_PERMISSIONS if p != "ats_scorecard_write"),
        unsupported=frozenset(
            {"createAtsInterview", "updateAtsInterview", "patchAtsInterview", "createAtsScorecard"}
        ),
        web_host="hire.lever.sandbox.test",
        shares="postings, opportunities and stages; interviews (read, cancel); feedback "
        "(read); notes; your organisation's users",
    ),
    "googlecalendar": Integration(
        type="googlecalendar",
        name="Google Calendar",
        category="calendar",
        world="acme",
        id_style="google",
        color="#4285f4",
        permissions=CALENDAR_PERMISSIONS,
        conference_label="Google Meet",
        web_host="calendar.sandbox.test",
        shares="calendars, events (read and write) and free/busy times",
    ),
    "microsoftoutlook": Integration(
        type="microsoftoutlook",
        name="Microsoft Outlook",
        category="calendar",
        world="globex",
        id_style="outlook",
        color="#0078d4",
        permissions=CALENDAR_PERMISSIONS,
        web_host="outlook.sandbox.test",
        shares="calendars, events (read and write) and free/busy times",
    ),
}


def integration_for_world(world, category):
    for integration in INTEGRATIONS.values():
        if integration.world == world and integration.category == category:
            return integration
    raise KeyError((world, category))


def make_id(style, key, number):
    """A deterministic id in a vendor's style. Hashed styles derive from `key` (any string);
    Greenhouse's integers come from `number`, which must be unique in the connection (hashing
    into a small integer space would collide among 10,000 candidates)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    if style == "numeric":  # Greenhouse: integers, sent as strings
        return str(4_000_000_000 + number)
    if style == "uuid":  # Lever
        return str(uuid.UUID(bytes=digest[:16], version=4))
    if style == "google":  # Google Calendar event ids: base32hex, lower case
        return base64.b32hexencode(digest[:16]).decode("ascii").rstrip("=").lower()
    if style == "outlook":  # Graph ids: long, opaque, base64url-ish
        return "AAMkAG" + base64.urlsafe_b64encode(digest[:30]).decode("ascii")
    if style == "hex24":  # Unified's own ids (connections, webhooks)
        return digest[:12].hex()
    raise ValueError(style)
