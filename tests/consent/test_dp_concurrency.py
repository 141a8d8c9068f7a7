"""Two editors releasing at the same moment cannot both spend the last of the day's budget."""

import threading
import time

import pytest
from django.db import connection

from consent import dp
from consent.models import StatisticRelease


@pytest.fixture
def slow_statistic():
    """A statistic that takes a moment to count, so two releases overlap."""

    def compute(day):
        time.sleep(0.5)
        return {"Harbour": 40, "Trams": 25}

    statistic = dp.Statistic(
        code="slow_test_count",
        title="Slow test count",
        unit="readers",
        per_day=False,
        sensitivity=lambda: 1,
        compute=compute,
        explanation="Counted slowly, for this test.",
    )
    dp.register_statistic(statistic)
    yield statistic
    dp._statistics.pop(statistic.code, None)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_releases_spend_no_more_than_the_budget(settings, slow_statistic):
    """PostgreSQL, real threads: a budget for one release, two editors, one release."""
    if connection.vendor == "sqlite":
        # SQLite serialises writers itself: every transaction takes the write lock at BEGIN.
        # (The in-memory test database cannot host concurrent writers; PostgreSQL runs the
        # threads below in CI.)
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    settings.DP_DAILY_EPSILON_BUDGET = settings.DP_EPSILON_PER_RELEASE  # one release a day
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def release(editor: str) -> None:
        try:
            start.wait()
            dp.statistic_release(code=slow_statistic.code, staff_label=editor)
            outcomes.append("released")
        except dp.BudgetExhausted:
            outcomes.append("refused")
        except BaseException as error:  # reported below, with the thread's own message
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=release, args=(f"Editors {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["refused", "released"]
    assert StatisticRelease.objects.count() == 1
    assert dp.spent_today() <= settings.DP_DAILY_EPSILON_BUDGET
