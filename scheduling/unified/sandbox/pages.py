"""The sandbox page: plain HTML forms, no JavaScript, no auth (a local dev tool).

`/` lists the connections, webhook subscriptions, recent deliveries, the events and
interviews changed since the seed (what Convene booked), and the fault knobs.
`/sandbox/calendar/{cid}` shows one calendar's events for two weeks, each with forms to move
it, rename it, answer for an attendee, cancel or delete it. `/sandbox/ats/{cid}` shows the
applications (with a stage picker) and the interviews. Every form posts to a /sandbox/
control endpoint, which fires the webhooks and comes back here saying how delivery went.
"""

import datetime as dt
from urllib.parse import quote, urlencode

from . import ats, calendars, common, events
from .store import GLOBAL
from .web import esc, html_response

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #23303f; color: #fff; padding: .7rem 1.5rem; }
header a { color: #cfe3ff; margin-right: 1rem; }
main { padding: 1rem 1.5rem 3rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee;
         vertical-align: top; }
th { background: #f0f2f5; }
.msg { background: #e7f6e7; border: 1px solid #9c9; padding: .6rem 1rem; margin: 1rem 0; }
.muted { color: #777; font-size: 12px; }
.tag { display: inline-block; font-size: 11px; padding: 0 .35rem; border-radius: 3px;
       background: #e3e8ef; margin-right: .25rem; }
.tag.canceled { background: #f6d6d6; } .tag.free { background: #dff3df; }
.tag.tentative { background: #fcefc7; }
form.inline { display: inline-block; margin: .1rem .4rem .1rem 0; }
input, select, button { font: inherit; font-size: 12px; }
.day { margin-top: 1rem; font-weight: 600; }
code { font-size: 12px; }
"""


def layout(title, body, msg=None):
    flash = f'<div class="msg">{esc(msg)}</div>' if msg else ""
    return html_response(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{esc(title)}</title>"
        f"<style>{STYLE}</style></head><body><header><strong>Unified sandbox</strong> · "
        f'<a href="/">Home</a><a href="/sandbox/info">info (JSON)</a>'
        f'<a href="/sandbox/deliveries">deliveries (JSON)</a></header>'
        f"<main>{flash}{body}</main></body></html>"
    )


def _form(action, fields, button, next_url, confirm_class=""):
    hidden = f'<input type="hidden" name="next" value="{esc(next_url)}">'
    return (
        f'<form class="inline {confirm_class}" method="post" action="{esc(action)}">'
        f"{hidden}{fields}<button>{esc(button)}</button></form>"
    )


def _connections(sb):
    return sb.store.query(GLOBAL, "unified_connection")


def home(sb, req):
    here = "/"
    rows = []
    for c in _connections(sb):
        category = (c.get("categories") or ["?"])[0]
        link = f"/sandbox/{'calendar' if category == 'calendar' else 'ats'}/{c['id']}"
        scope = c.get("_personal_email") or "company-wide"
        rows.append(
            f"<tr><td><code>{esc(c['id'])}</code></td><td>{esc(c['integration_name'])}</td>"
            f"<td>{esc(category)}</td><td>{esc(c.get('external_xref'))}</td>"
            f"<td>{esc(scope if category == 'calendar' else '')}</td>"
            f'<td><a href="{esc(link)}">open</a></td></tr>'
        )
    connections = (
        "<h2>Connections</h2><table><tr><th>id</th><th>integration</th><th>category</th>"
        "<th>external_xref</th><th>calendars</th><th></th></tr>" + "".join(rows) + "</table>"
    )
    hooks = sb.store.query(GLOBAL, "unified_webhook")
    hook_rows = "".join(
        f"<tr><td><code>{esc(h['id'])}</code></td><td><code>{esc(h['connection_id'])}</code></td>"
        f"<td>{esc(h['object_type'])} {esc(h['event'])}</td><td>{esc(h['hook_url'])}</td>"
        f"<td>{'healthy' if h.get('is_healthy', True) else 'unhealthy'}</td></tr>"
        for h in hooks
    )
    webhooks = (
        "<h2>Webhook subscriptions</h2><table><tr><th>id</th><th>connection</th>"
        "<th>object / event</th><th>hook_url</th><th></th></tr>"
        + (hook_rows or '<tr><td colspan=5 class="muted">none yet</td></tr>')
        + "</table>"
    )
    recent = sb.deliveries.entries()[-15:][::-1]
    delivery_rows = "".join(
        f"<tr><td>{esc(e['created_at'])}</td><td>{esc(e['object_type'])} {esc(e['event'])}</td>"
        f"<td>{esc(e['type'])}</td><td>{len(e['record_ids'])}</td>"
        f"<td>{esc(e['status'])} ({len(e['attempts'])} attempts, last "
        f"{esc(e['last_status_code'])})</td><td>{esc(e['hook_url'])}</td></tr>"
        for e in recent
    )
    deliveries = (
        "<h2>Recent deliveries</h2><table><tr><th>queued</th><th>what</th><th>type</th>"
        "<th>records</th><th>result</th><th>to</th></tr>"
        + (delivery_rows or '<tr><td colspan=6 class="muted">none yet</td></tr>')
        + "</table>"
    )
    changed = _changed_events(sb, here)
    faults = sb.faults.as_dict()
    fault_fields = "".join(
        f'{esc(k)} <input name="{esc(k)}" value="{esc(v)}" size="5"> '
        for k, v in faults.items()
        if k != "fault_seed"
    )
    knobs = (
        "<h2>Faults (Unified API paths only)</h2>"
        + _form("/sandbox/faults", fault_fields, "Set", here)
        + _form("/sandbox/reset", "", "Reset and reseed everything", here)
    )
    seed_info = sb.store.meta("seed") or {}
    intro = (
        f"<p>Workspace <code>{esc(sb.workspace_id)}</code> · seeded for "
        f"{esc(seed_info.get('anchor'))} with {esc(seed_info.get('seed_size'))} Acme "
        f"candidates · API base <code>{esc(req.host_url)}</code></p>"
    )
    body = intro + connections + changed + webhooks + deliveries + knobs
    return layout("Unified sandbox", body, req.arg("msg"))


def _changed_events(sb, here):
    """Events created or changed since the seed, across calendar connections: the ones
    Convene booked, ready to move or cancel for a demo."""
    seeded_at = sb.store.meta("seeded_at") or ""
    parts = []
    for c in _connections(sb):
        if "calendar" not in (c.get("categories") or ()):
            continue
        docs = sb.store.query(
            c["id"],
            "calendar_event",
            where=["updated_at >= ?"],
            params=[seeded_at],
            order="updated_at DESC, seq DESC",
            limit=20,
        )
        for doc in docs:
            parts.append(_event_row(c["id"], doc, events.zone(doc.get("timezone")), here))
    if not parts:
        return (
            "<h2>Recently changed events</h2><p class=muted>None since the seed. Events "
            "Convene creates appear here.</p>"
        )
    return (
        "<h2>Recently changed events</h2><table><tr><th>when</th><th>event</th>"
        "<th>actions</th></tr>" + "".join(parts) + "</table>"
    )


def _event_row(cid, doc, tz, here):
    base = f"/sandbox/events/{quote(cid)}/{quote(doc['id'], safe='')}"
    tags = []
    if doc.get("status") != "CONFIRMED":
        tags.append((doc.get("status") or "").lower())
    if doc.get("is_free"):
        tags.append("free")
    if doc.get("is_all_day"):
        tags.append("all-day")
    if doc.get("recurring_event_id"):
        tags.append("recurring")
    tag_html = "".join(f'<span class="tag {esc(t)}">{esc(t)}</span>' for t in tags)
    if doc.get("is_all_day"):
        when = f"{esc(doc['start_at'])} → {esc(doc['end_at'])}"
        move_fields = f'<input type="date" name="date" value="{esc(doc["start_at"])}">'
    else:
        start = events.parse_instant(doc["start_at"]).astimezone(tz)
        end = events.parse_instant(doc["end_at"]).astimezone(tz)
        when = f"{start:%a %d %b %H:%M}–{end:%H:%M} <span class=muted>{esc(tz.key)}</span>"
        move_fields = (
            f'<input type="date" name="date" value="{start:%Y-%m-%d}">'
            f'<input type="time" name="time" value="{start:%H:%M}">'
        )
    attendees = doc.get("attendees") or []
    people = ", ".join(
        f"{esc(a.get('name') or a.get('email'))} ({esc((a.get('status') or 'no reply').lower())})"
        for a in attendees
    )
    forms = [_form(f"{base}/move", move_fields, "Move", here)]
    forms.append(
        _form(
            f"{base}/edit",
            f'<input name="subject" value="{esc(doc.get("subject"))}" size="24">',
            "Rename",
            here,
        )
    )
    if attendees:
        options = "".join(
            f'<option value="{esc(a.get("email"))}">{esc(a.get("email"))}</option>'
            for a in attendees
            if a.get("email")
        )
        forms.append(
            _form(
                f"{base}/respond",
                f'<select name="email">{options}</select><select name="status">'
                '<option value="ACCEPTED">accept</option><option value="REJECTED">decline'
                '</option><option value="TENTATIVE">maybe</option></select>',
                "Answer",
                here,
            )
        )
    if doc.get("status") != "CANCELED":
        forms.append(_form(f"{base}/cancel", "", "Cancel", here))
    forms.append(_form(f"{base}/delete", "", "Delete", here))
    return (
        f"<tr><td>{when}</td><td><strong>{esc(doc.get('subject'))}</strong> {tag_html}<br>"
        f"<span class=muted>{people}</span><br><code class=muted>{esc(doc['id'])}</code></td>"
        f"<td>{''.join(forms)}</td></tr>"
    )


def _monday(day):
    return day - dt.timedelta(days=day.weekday())


def calendar_page(sb, req, ctx):
    owned = sb.store.query(ctx.cid, "calendar_calendar")  # this connection's calendars
    chosen = req.arg("calendar") or ctx.connection.get("_primary_calendar_id")
    calendar = next((c for c in owned if c["id"] == chosen), owned[0] if owned else None)
    try:
        week = _monday(dt.date.fromisoformat(req.arg("week") or ""))
    except ValueError:
        week = _monday(sb.store.clock().date())
    here = f"/sandbox/calendar/{quote(ctx.cid)}?" + urlencode(
        {"calendar": calendar["id"] if calendar else "", "week": week.isoformat()}
    )
    links = " · ".join(
        f'<a href="?{urlencode({"calendar": c["id"], "week": week.isoformat()})}">'
        f"{'<strong>' if calendar and c['id'] == calendar['id'] else ''}"
        f"{esc(c.get('description') or c['name'])}"
        f"{'</strong>' if calendar and c['id'] == calendar['id'] else ''}</a>"
        f" <span class=muted>{esc(c.get('timezone'))}</span>"
        for c in owned
    )
    body = [
        f"<h1>{esc(ctx.integration.name)} · <code>{esc(ctx.cid)}</code></h1>",
        f"<p>{links}</p>",
    ]
    if calendar is None:
        return layout("Calendar", "".join(body) + "<p>No calendars.</p>", req.arg("msg"))
    tz = events.zone(calendar.get("timezone"))
    start = dt.datetime.combine(week, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = start + dt.timedelta(days=14)
    condition, args = calendars.invited_condition(calendar)
    docs = sb.store.query(
        ctx.cid,
        "calendar_event",
        where=[condition, "kind != 'series'", "span_end > ?", "span_start < ?"],
        params=[*args, f"{start:%Y-%m-%dT%H:%M:%SZ}", f"{end:%Y-%m-%dT%H:%M:%SZ}"],
        order="span_start, seq",
    )
    nav = " · ".join(
        f'<a href="?{urlencode({"calendar": calendar["id"], "week": w.isoformat()})}">{label}</a>'
        for label, w in (
            ("← previous week", week - dt.timedelta(days=7)),
            ("this week", _monday(sb.store.clock().date())),
            ("next week →", week + dt.timedelta(days=7)),
        )
    )
    body.append(
        f"<h2>{esc(calendar['name'])} · weeks of {week:%d %b} and "
        f"{week + dt.timedelta(days=7):%d %b %Y}</h2><p>{nav}</p>"
    )
    rows, current_day = [], None
    for doc in docs:
        s, _e = events.event_span(doc, tz)
        day = s.astimezone(tz).date()
        if day != current_day:
            rows.append(f'<tr><td colspan=3 class="day">{day:%A %d %B}</td></tr>')
            current_day = day
        rows.append(_event_row(ctx.cid, doc, tz, here))
    body.append(
        "<table><tr><th>when</th><th>event</th><th>actions</th></tr>"
        + ("".join(rows) or '<tr><td colspan=3 class="muted">no events</td></tr>')
        + "</table>"
    )
    return layout(f"Calendar {calendar['name']}", "".join(body), req.arg("msg"))


def ats_page(sb, req, ctx):
    store = sb.store
    status = req.arg("status") or ""
    offset = max(int(req.arg("offset") or 0), 0)
    here = f"/sandbox/ats/{quote(ctx.cid)}?" + urlencode({"status": status, "offset": offset})
    where, params = [], []
    if status:
        where, params = ["json_extract(data, '$.status') = ?"], [status]
    apps = store.query(
        ctx.cid, "ats_application", where=where, params=params,
        order="updated_at DESC, seq DESC", limit=50, offset=offset,
    )  # fmt: skip
    candidates = _by_id(store, ctx.cid, "ats_candidate", {a["candidate_id"] for a in apps})
    jobs = {j["id"]: j for j in store.query(ctx.cid, "ats_job")}
    employees = {e["id"]: e for e in store.query(ctx.cid, "hris_employee")}
    stage_cache = {}
    rows = []
    for app in apps:
        if app["job_id"] not in stage_cache:
            stage_cache[app["job_id"]] = ats.stage_names(ctx, app["job_id"])
        names = stage_cache[app["job_id"]]
        options = "".join(
            f'<option value="{esc(name)}"{" selected" if s == app.get("status") else ""}>'
            f"{esc(name)} ({esc(s)})</option>"
            for s, name in names.items()
        )
        action = f"/sandbox/applications/{quote(ctx.cid)}/{quote(app['id'], safe='')}/status"
        picker = f"<select name=original_status>{options}</select>"
        candidate = candidates.get(app["candidate_id"], {})
        rows.append(
            f"<tr><td>{esc(candidate.get('name'))}<br><code class=muted>{esc(app['id'])}</code>"
            f"</td><td>{esc(jobs.get(app['job_id'], {}).get('name'))}</td>"
            f"<td>{esc(app.get('status'))}<br><span class=muted>"
            f"{esc(app.get('original_status'))}</span></td><td>{esc(app.get('updated_at'))}</td>"
            f"<td>{_form(action, picker, 'Move', here)}</td></tr>"
        )
    filter_options = "".join(
        f"<option{' selected' if s == status else ''}>{esc(s)}</option>"
        for s in ("", *common.APPLICATION_STATUSES)
    )
    pager = (
        f'<a href="?{urlencode({"status": status, "offset": max(offset - 50, 0)})}">← newer</a> · '
        f'<a href="?{urlencode({"status": status, "offset": offset + 50})}">older →</a>'
    )
    interviews = store.query(
        ctx.cid, "ats_interview", order="json_extract(data, '$.start_at') DESC, seq", limit=60
    )
    int_candidates = _by_id(
        store, ctx.cid, "ats_candidate", {i["candidate_id"] for i in interviews}
    )
    interview_rows = "".join(
        f"<tr><td>{esc(i.get('start_at') or '—')}</td>"
        f"<td>{esc(int_candidates.get(i['candidate_id'], {}).get('name'))}</td>"
        f"<td>{esc(jobs.get(i['job_id'], {}).get('name'))}</td><td>{esc(i.get('status'))}</td>"
        f"<td>{esc(', '.join(employees.get(u, {}).get('name', u) for u in i.get('user_ids', [])))}"
        f"</td><td><code class=muted>{esc(i.get('external_event_xref') or '')}</code></td>"
        f"<td>{_interview_move(ctx.cid, i, here)}</td></tr>"
        for i in interviews
    )
    body = (
        f"<h1>{esc(ctx.integration.name)} · <code>{esc(ctx.cid)}</code></h1>"
        f'<h2>Applications</h2><form method="get">Status <select name="status">'
        f"{filter_options}</select> <button>Filter</button></form><p>{pager}</p>"
        "<table><tr><th>candidate</th><th>job</th><th>status</th><th>updated</th>"
        f"<th>move to stage</th></tr>{''.join(rows)}</table>"
        "<h2>Interviews (latest 60 by start)</h2><table><tr><th>start (UTC)</th>"
        "<th>candidate</th><th>job</th><th>status</th><th>interviewers</th><th>event</th>"
        "<th>move to (UTC)</th></tr>"
        f"{interview_rows}</table>"
    )
    return layout(f"ATS {ctx.cid}", body, req.arg("msg"))


def _interview_move(cid, interview, here):
    """A Move form for a scheduled ATS interview, as a recruiter moves it in the ATS."""
    if interview.get("status") != "SCHEDULED" or not interview.get("start_at"):
        return ""
    start = events.parse_instant(interview["start_at"]).astimezone(dt.UTC)
    fields = (
        f'<input type="date" name="date" value="{start:%Y-%m-%d}">'
        f'<input type="time" name="time" value="{start:%H:%M}">'
    )
    action = f"/sandbox/interviews/{quote(cid)}/{quote(interview['id'], safe='')}/move"
    return _form(action, fields, "Move", here)


def _by_id(store, cid, object_type, ids):
    ids = sorted(i for i in ids if i)
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    docs = store.query(cid, object_type, where=[f"id IN ({marks})"], params=ids)
    return {d["id"]: d for d in docs}
