"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `e2e` (left out of the quick `make test`; `make test-e2e`
runs them). Each test gets, without asking:

- a page whose relative URLs go to the live server (`page.goto("/sign-in/")`),
- a check that fails it on any Content-Security-Policy violation, JavaScript error or broken
  stylesheet, script, image or font in any page it opened (`browser_console`),
- a full-page screenshot and the HTML of every open page in `test-results/<test>/` when it
  fails.

And, when asked for, `axe(page)`: axe-core's accessibility check of the page as it stands,
failing on any critical or serious violation.

Nothing from Playwright is imported here, and without the `e2e` extra (a plain `make test`)
the test modules are not even collected.
"""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

# The sandbox's Acme world mirrored into the tenant, and its two-session panel (Maya with
# Daniel or Grace, then Sofía): the journeys run against the same world as the integration
# tests.
from tests.integration.conftest import acme, panel_plan  # noqa: F401
from tests.live_world import drain  # noqa: F401  (the journeys import it from here)

E2E_DIR = Path(__file__).parent

# Debian's Chromium in a container: no sandbox (we are root), no GPU, and nothing that calls
# home, so a run is quiet on the network and the same on every machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

PHONE = {"width": 390, "height": 844}

_call_report = pytest.StashKey()

# The journeys import Playwright and axe; the quick suite's environment may not have them
# (or may have an older `e2e` extra, until `make test-e2e` installs the current one).
if any(importlib.util.find_spec(m) is None for m in ("playwright", "axe_playwright_python")):
    collect_ignore_glob = ["test_*.py"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Mark by folder, so a new journey cannot forget the marker and slow down `make test`;
    # first, so that `-m` sees the marks.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Runs after the test body; a test that passed still fails here if a page it opened
    # reported a problem, and then its screenshots are saved like any other failure's.
    result = yield
    console = item.funcargs.get("browser_console")
    if console is not None:
        console.assert_clean()
    return result


@pytest.fixture(scope="session", autouse=True)
def _django_db_beside_playwright():
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database calls from a thread with a running loop. The calls here are plain test setup,
    # not async code, so the check is lifted for the session that runs browser tests.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.exit("No `chromium` on PATH: `make test-e2e` installs Debian's.", returncode=1)
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs in `page.goto` and `expect(page).to_have_url` go to the live server."""
    return live_server.url


class BrowserConsole:
    """What the pages of one test said: every console message, and the problems among them.

    Problems are Content-Security-Policy violations, other console errors, uncaught
    exceptions, and stylesheets, scripts, images or fonts that did not load. A test that
    causes one on purpose calls `allow("part of the message")`.
    """

    ASSET_TYPES = {"stylesheet", "script", "image", "font"}

    def __init__(self):
        self.messages = []
        self.problems = []
        self.allowed = []
        self.contexts = []

    def watch(self, context):
        self.contexts.append(context)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.problems.append(f"JS error: {error.error}"))
        context.on("response", self._on_response)

    def _on_console(self, message):
        self.messages.append(f"{message.type}: {message.text}")
        if message.type != "error":
            return
        if "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")
        elif message.text.startswith("Failed to load resource"):
            # A page that answers 404 on purpose logs this too; broken assets are caught by
            # their responses instead.
            return
        else:
            self.problems.append(f"console error: {message.text}")

    def _on_response(self, response):
        if response.status >= 400 and response.request.resource_type in self.ASSET_TYPES:
            self.problems.append(f"{response.status} for {response.url}")

    def allow(self, pattern):
        self.allowed.append(re.compile(pattern))

    def flush(self):
        # Events reach Python on the next round trip to the browser: make one per page.
        for context in self.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.evaluate("0")

    def unexpected(self):
        self.flush()
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]

    def assert_clean(self):
        problems = self.unexpected()
        __tracebackhide__ = True
        assert not problems, "The browser reported:\n" + "\n".join(problems)


@pytest.fixture
def browser_console():
    return BrowserConsole()


@pytest.fixture
def new_context(new_context, browser_console):
    """pytest-playwright's context factory, with every context watched by `browser_console`
    (the `context` and `page` fixtures come from here too)."""

    def make(**kwargs):
        context = new_context(**kwargs)
        browser_console.watch(context)
        return context

    return make


@pytest.fixture(autouse=True)
def _save_pages_on_failure(request, live_server, new_context, browser_console):
    # Requesting live_server makes every browser test transactional, so what a test writes
    # is committed where the server thread can see it. Requesting new_context makes this run
    # its teardown while the test's contexts are still open.
    yield
    report = request.node.stash.get(_call_report, None)
    if report is None or not report.failed:
        return
    folder = (
        request.config.rootpath
        / "test-results"
        / re.sub(r"[^\w.-]+", "-", request.node.nodeid).strip("-")
    )
    folder.mkdir(parents=True, exist_ok=True)
    pages = [page for context in browser_console.contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        page.screenshot(path=folder / f"page-{number}.png", full_page=True)
        (folder / f"page-{number}.html").write_text(page.content(), encoding="utf-8")
    (folder / "console.txt").write_text("\n".join(browser_console.messages), encoding="utf-8")
    print(f"Screenshots and HTML of {len(pages)} page(s) in {folder}")


@pytest.fixture
def outbox_waits(settings):
    """Nothing queued by a page runs by itself: the outbox waits until the test performs it
    with `drain()`, as the worker would, so a test sees what a page wrote before the calendar
    and the ATS hear of it."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def phone_page(new_context):
    """A page on a phone-sized screen (390×844, touch), as a candidate opens an emailed link."""
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    return context.new_page()


@pytest.fixture
def sign_in():
    """Signs a user in through the real sign-in form: `sign_in(page, recruiter)`."""

    def sign_in(page, user, password=PASSWORD):
        page.goto("/sign-in/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in


class AxeViolations(AssertionError):
    pass


@pytest.fixture(scope="session")
def _axe_engine():
    # axe-core as the e2e extra bundles it (axe-playwright-python ships axe.min.js): no CDN.
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe(_axe_engine):
    """`axe(page)` runs axe-core on the page as it stands and fails on critical or serious
    violations, naming each rule, its help and the elements it found; returns the
    violations (all impacts) for a test that wants to look further. `exclude` takes CSS
    selectors of regions not to check."""

    def check(page, *, impacts=("critical", "serious"), exclude=()):
        context = {"exclude": [[selector] for selector in exclude]} if exclude else None
        results = _axe_engine.run(page, context=context)
        violations = results.response["violations"]
        bad = [v for v in violations if v.get("impact") in impacts]
        if bad:
            lines = [f"axe found {len(bad)} problem(s) on {page.url}:"]
            for v in bad:
                lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
                lines += [f"    {node['target']}: {node['html'][:160]}" for node in v["nodes"][:5]]
            raise AxeViolations("\n".join(lines))
        return violations

    return check
