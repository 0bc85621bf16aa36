"""Unified Connect (docs/unified.md §10), with a consent page standing in for the vendor's.

`GET /unified/integration/auth/{workspace_id}/{integration_type}?success_redirect=…&
failure_redirect=…&state=…&external_xref=…&scopes=…` (no auth header) answers the consent
page's URL as text/plain, or with `redirect=1` (or `true`) a 302 to it. The consent page names
the integration and what will be shared; for a calendar it offers the whole company's
calendars or one person's own account.

Allow → a NEW connection (new id, a fresh copy of the integration's world, so connecting twice
gives two independent connections), then 302 to `success_redirect` with `id=<connection id>`
and `state=<state>` appended to its query string (existing parameters are kept). Cancel → 302
to `failure_redirect` with `error=access_denied`; "Simulate a vendor error" → `error=
vendor_error`. Without a redirect URL a small page shows the result. Unknown workspace or
integration → a plain 404 page. The error values, the redirect status and query-string
preservation are unconfirmed for Unified (§14.13); these are the sandbox's choices.
"""

from urllib.parse import urlencode

from . import seed
from .integrations import INTEGRATIONS
from .web import esc, html_response, redirect, text_response, with_query

PASSED_ON = ("success_redirect", "failure_redirect", "state", "external_xref", "scopes", "env")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; background: #f4f5f7; margin: 0; }}
main {{ max-width: 34rem; margin: 3rem auto; background: #fff; padding: 2rem;
        border-radius: 10px; box-shadow: 0 1px 4px #0002; }}
.logo {{ display: inline-block; padding: .3rem .7rem; border-radius: 6px; color: #fff;
         font-weight: 600; background: {color}; }}
.note {{ color: #666; font-size: 13px; }}
fieldset {{ border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; }}
button {{ font: inherit; padding: .5rem 1.2rem; border-radius: 6px; border: 1px solid #999;
          cursor: pointer; margin-right: .5rem; }}
button.allow {{ background: {color}; color: #fff; border-color: {color}; }}
</style></head><body><main>{body}</main></body></html>"""


def _page(title, body, color="#555", status=200):
    return html_response(PAGE.format(title=esc(title), body=body, color=color), status)


def _error_page(message, status=404):
    body = f"<h1>Unified sandbox</h1><p>{esc(message)}</p>"
    return _page("Unified sandbox: error", body, status=status)


def _lookup(sb, workspace_id, integration_type):
    if workspace_id != sb.workspace_id:
        return None, _error_page(f"Unknown workspace {workspace_id!r}.")
    integration = INTEGRATIONS.get(integration_type)
    if integration is None:
        return None, _error_page(f"Unknown integration {integration_type!r} in this workspace.")
    return integration, None


def authorize(sb, req, workspace_id, integration_type):
    """The Connect URL: where the end user's browser starts."""
    _integration, error = _lookup(sb, workspace_id, integration_type)
    if error:
        return error
    params = [(k, v) for k in PASSED_ON for v in req.query.get(k, [])]
    url = f"{req.host_url}/sandbox/connect/{workspace_id}/{integration_type}"
    if params:
        url += "?" + urlencode(params)
    if (req.arg("redirect") or "").lower() in ("1", "true", "yes"):
        return redirect(url)
    return text_response(url)


def consent(sb, req, workspace_id, integration_type):
    integration, error = _lookup(sb, workspace_id, integration_type)
    if error:
        return error
    if req.method == "POST":
        return decide(sb, req, integration)
    # Scopes may come repeated (the SDK) or comma-joined (the widget): pass them on joined.
    carried = {k: req.arg(k) for k in PASSED_ON if k != "scopes" and req.arg(k) is not None}
    if req.args("scopes"):
        carried["scopes"] = ",".join(req.args("scopes"))
    hidden = "".join(
        f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in carried.items()
    )
    scopes = requested_permissions(req.args("scopes"), integration)
    choice = ""
    if integration.category == "calendar":
        options = "".join(
            f'<option value="{esc(email)}">{esc(name)} &lt;{esc(email)}&gt; · {esc(tz)}</option>'
            for name, email, tz in seed.people(integration.world)
        )
        choice = (
            "<fieldset><legend>Which calendars?</legend>"
            '<label><input type="radio" name="scope" value="company" checked> '
            "The whole company (all calendars, as an administrator)</label><br>"
            '<label><input type="radio" name="scope" value="personal"> '
            "Only my own calendar, signed in as: </label>"
            f'<select name="email">{options}</select></fieldset>'
        )
    body = (
        f'<p><span class="logo">{esc(integration.name)}</span></p>'
        f"<h1>Connect {esc(integration.name)}</h1>"
        f"<p><strong>Convene</strong> is asking for access to your {esc(integration.name)} "
        f"account through Unified.</p><p>It will be able to use: {esc(integration.shares)}.</p>"
        f'<p class="note">Permissions: {esc(", ".join(scopes))}</p>'
        f'<form method="post">{hidden}{choice}'
        '<button class="allow" name="decision" value="allow">Allow</button>'
        '<button name="decision" value="cancel">Cancel</button>'
        '<button name="decision" value="error">Simulate a vendor error</button></form>'
        '<p class="note">This is the local Unified sandbox: no real account is involved.</p>'
    )
    return _page(f"Connect {integration.name}", body, color=integration.color)


def requested_permissions(scopes, integration):
    """Requested scopes the integration supports; all of them when none are named."""
    if not scopes:
        return list(integration.permissions)
    return [p for p in integration.permissions if p in scopes]


def decide(sb, req, integration):
    form = req.form()
    decision = form.get("decision")
    if decision != "allow":
        error = "access_denied" if decision == "cancel" else "vendor_error"
        if form.get("failure_redirect"):
            return redirect(with_query(form["failure_redirect"], {"error": error}))
        return _page("Not connected", f"<h1>Not connected</h1><p>error: {esc(error)}</p>")
    personal = None
    if integration.category == "calendar" and form.get("scope") == "personal":
        known = {email for _n, email, _tz in seed.people(integration.world)}
        personal = form.get("email") if form.get("email") in known else None
        if personal is None:
            return _error_page("Choose whose calendar to connect.", status=400)
    scopes = [s for part in form.get("scopes", "").split(",") if (s := part.strip())]
    connection = seed.add_connection(
        sb.store,
        integration.type,
        workspace_id=sb.workspace_id,
        external_xref=form.get("external_xref") or None,
        permissions=requested_permissions(scopes, integration),
        environment="Sandbox" if form.get("env") == "Sandbox" else "Production",
        personal_email=personal,
    )
    if form.get("success_redirect"):
        params = {"id": connection["id"]}
        if "state" in form:
            params["state"] = form["state"]
        return redirect(with_query(form["success_redirect"], params))
    return _page(
        "Connected",
        f"<h1>Connected</h1><p>Connection id: <code>{esc(connection['id'])}</code></p>",
        color=integration.color,
    )
