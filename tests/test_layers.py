"""The import order of docs/design.md, held: every module imports only from layers below its
own, scheduling never imports candidates, and project code is imported at the top of a
module (the only function-level imports are in AppConfig.ready(), which runs once the apps
are loaded). Read from the source with `ast`, so a violation is found without running it."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("scheduling", "candidates", "config")

# Lowest first. A module belongs to the longest unit its dotted name starts with; a unit may
# import itself (its own package) and any unit of a lower layer, nothing else.
LAYERS = [
    # 0. Foundations that know no model: small generic helpers (what the Unified client also
    # checks values from outside with); then the engine, the Unified client (and its
    # sandbox), the apps' signals.
    ["scheduling.lib"],
    [
        "scheduling.availability",
        "scheduling.unified",
        "scheduling.signals",
    ],
    # 1. The data: first where and how an interview happens, in words (it reads the rows it
    # is handed and imports no model), then the models.
    ["scheduling.where"],
    ["scheduling.models", "scheduling.ics", "scheduling.checks"],
    ["candidates.models"],
    # 2. Small services everything else uses (the periodic registry keeps its turns as rows).
    [
        "scheduling.gateway",
        "scheduling.emails",
        "scheduling.plans",
        "scheduling.load",
        "scheduling.periodic",
    ],
    ["scheduling.outbox"],
    # 3. Finding times, feedback, reminders, connecting.
    ["scheduling.slots", "scheduling.feedback", "scheduling.reminders", "scheduling.connections"],
    # 4. The interview's owner, and what the outbox writes.
    ["scheduling.booking", "scheduling.writeback", "scheduling.attendance", "scheduling.training"],
    # 5. Following changes; the candidate's links; the pipeline's and the reports' queries.
    # (The debrief follows the interview's owner through its signals.)
    [
        "scheduling.webhooks",
        "scheduling.debriefs",
        "scheduling.interviewer_home",
        "candidates.links",
        "candidates.pipeline",
        "candidates.reports",
    ],
    # The candidate's times when no offered one works: requests ride on booking links.
    ["candidates.availability"],
    # Autopilot: what happens when an application enters a stage; it sends through the
    # links and the requests above, and the mirror below tells it of each move.
    ["candidates.autopilot"],
    # Autopilot's follow-through: what its links and requests lead to.
    ["candidates.autopilot_follow"],
    # 6. The ATS mirror, and what the ATS's webhooks change in it.
    ["candidates.sync"],
    ["candidates.changes"],
    # 7. What the web pages share.
    [
        "scheduling.access",
        "scheduling.forms",
        "scheduling.plan_forms",
        "scheduling.feedback_forms",
        "scheduling.training_forms",
        "scheduling.middleware",
        "scheduling.context_processors",
        "scheduling.templatetags",
        "candidates.forms",
        "candidates.picker",
    ],
    # 8. Entry points.
    [
        "scheduling.views",
        "scheduling.feedback_views",
        "scheduling.training_views",
        "scheduling.training_progress_views",
        "scheduling.admin",
        "scheduling.management",
        "candidates.views",
        "candidates.report_views",
        "candidates.autopilot_feed_views",
        "candidates.public_views",
        "candidates.autopilot_views",
        "candidates.admin",
        "candidates.management",
    ],
    # The availability request's pages reuse the public pages' token handling.
    ["candidates.availability_views"],
    ["scheduling.urls", "candidates.urls"],
    ["scheduling.apps", "candidates.apps", "config"],
]
LAYER_OF = {unit: n for n, units in enumerate(LAYERS) for unit in units}


def unit_of(module):
    matches = [u for u in LAYER_OF if module == u or module.startswith(u + ".")]
    return max(matches, key=len) if matches else None


def modules():
    for top in PROJECT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            name = name.removesuffix(".__init__")
            if name not in PROJECT:  # the apps' empty package modules
                yield name, path


def imports(name, path):
    """(imported module, line, whether it is inside a function, the function's name)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, function=None, cls=None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name if function is None else function, cls)
                continue
            if isinstance(child, ast.ClassDef):
                visit(child, function, child)
                continue
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                # `from . import booking` imports the module `scheduling.booking`.
                targets = [
                    f"{base}.{alias.name}" if unit_of(f"{base}.{alias.name}") else base
                    for alias in child.names
                ]
            else:
                visit(child, function, cls)
                continue
            where = function
            if function == "ready" and cls is not None:
                bases = {getattr(b, "attr", getattr(b, "id", "")) for b in cls.bases}
                where = None if "AppConfig" in bases else function
            for target in targets:
                found.append((target, child.lineno, where))

    visit(tree)
    return found


def violations():
    problems = []
    for name, path in modules():
        unit = unit_of(name)
        if unit is None:
            problems.append(f"{name}: not in any layer of tests/test_layers.py")
            continue
        for target, line, function in imports(name, path):
            if not target.startswith(tuple(f"{p}." for p in PROJECT) + PROJECT):
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            if function is not None:
                problems.append(f"{where}: imports {target} inside {function}()")
            if name.startswith("scheduling") and target.startswith("candidates"):
                problems.append(f"{where}: scheduling imports candidates ({target})")
            other = unit_of(target)
            if other is None or other == unit:
                continue
            if LAYER_OF[other] >= LAYER_OF[unit]:
                direction = "sideways" if LAYER_OF[other] == LAYER_OF[unit] else "up"
                problems.append(f"{where}: {unit} imports {other} ({direction})")
    return problems


def test_services_import_in_one_direction():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from scheduling import booking\n", "scheduling.outbox imports scheduling.booking (up)"),
        ("from . import writeback\n", "scheduling.outbox imports scheduling.writeback (up)"),
        ("from .gateway import unified\n", None),
        ("def f():\n    from . import emails\n", "imports scheduling.emails inside f()"),
        ("from candidates import links\n", "scheduling imports candidates"),
    ],
)
def test_the_check_finds_what_it_should(tmp_path, monkeypatch, source, expected):
    """The checker itself: an import pointing up, one inside a function, one into
    candidates are each found in a module standing in for scheduling/outbox.py."""
    fake = tmp_path / "scheduling"
    fake.mkdir()
    (fake / "outbox.py").write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PROJECT", ("scheduling", "candidates"))
    found = [p for p in violations() if "outbox" in p]
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found
