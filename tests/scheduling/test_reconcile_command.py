"""`manage.py reconcile --loop`: one failing round is logged and the next one runs."""

import io

import pytest
from django.core.management import call_command

from scheduling.management.commands import reconcile as command


class Stop(Exception):
    pass


def test_a_failing_round_is_logged_and_the_loop_goes_on(monkeypatch, caplog):
    rounds = iter([RuntimeError("database went away"), ["Interview moved."]])

    def reconcile():
        outcome = next(rounds)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    sleeps, refreshed = [], []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise Stop

    monkeypatch.setattr(command, "reconcile", reconcile)
    monkeypatch.setattr(command.time, "sleep", sleep)
    monkeypatch.setattr(command, "close_old_connections", lambda: refreshed.append(True))
    out = io.StringIO()
    with pytest.raises(Stop):
        call_command("reconcile", "--loop", "--interval", "7", stdout=out)

    assert "database went away" in caplog.text
    assert "Interview moved." in out.getvalue()
    assert sleeps == [7, 7]
    assert len(refreshed) == 2  # a fresh connection for each round
