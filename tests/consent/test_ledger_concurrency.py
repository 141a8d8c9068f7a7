"""Concurrent appends queue up: the chain never forks (found under `make load`)."""

import threading

import pytest
from django.db import connection, transaction

from consent.models import DataRequest
from consent.rights import data_request_append
from consent.services import ledger_verify


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    if connection.vendor == "sqlite":
        # SQLite serialises writers itself: every transaction takes the write lock at BEGIN.
        # (The in-memory test database cannot host concurrent writers; PostgreSQL runs the
        # threads below in CI.)
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                with transaction.atomic():
                    data_request_append(
                        pseudonym=f"p{n}", kind=DataRequest.Kind.EXPORT, summary={"i": i}
                    )
        except BaseException as error:  # reported below, with the thread's own message
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DataRequest.objects.count() == 30
    report = ledger_verify(DataRequest)
    assert report.ok and report.checked == 30
