"""Which database each read and write goes to, with and without a read replica."""

import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from alliances.models import Treaty
from milidip.ops import replica
from milidip.ops.replica import PRIMARY, REPLICA, PrimaryReplicaRouter, ReplicaState

router = PrimaryReplicaRouter()


@pytest.fixture
def no_replica():
    """No replica alias, as in the test settings (another test's module may have added one)."""
    added = connections.settings.pop(replica.REPLICA, None)
    yield
    if added is not None:
        connections.settings[replica.REPLICA] = added


def test_without_a_replica_the_router_leaves_every_choice_to_django(no_replica):
    assert not replica.replica_configured()
    assert router.db_for_read(Treaty) is None
    assert router.db_for_write(Treaty) == PRIMARY


def test_a_fit_replica_takes_the_reads_and_never_the_writes(replica_fit):
    assert router.db_for_read(Treaty) == REPLICA
    assert router.db_for_write(Treaty) == PRIMARY
    assert router.allow_migrate(PRIMARY, "alliances")
    assert not router.allow_migrate(REPLICA, "alliances")


def test_a_pinned_request_reads_the_primary(replica_fit):
    token = replica.pin_to_primary()
    try:
        assert router.db_for_read(Treaty) == PRIMARY
    finally:
        replica.unpin(token)
    assert router.db_for_read(Treaty) == REPLICA


def test_a_replica_lagging_beyond_the_bound_sends_reads_to_the_primary(replica_alias, monkeypatch):
    bound = settings.REPLICA_MAX_LAG_SECONDS
    assert replica.judge(bound, bound) is None
    problem = replica.judge(bound + 0.5, bound)
    assert f"over the bound of {bound:g} s" in problem
    monkeypatch.setattr(replica, "_state", ReplicaState(bound + 0.5, problem, time.monotonic()))
    assert router.db_for_read(Treaty) == PRIMARY


def test_a_replica_failure_sends_reads_to_the_primary_until_the_next_check(replica_fit):
    replica.mark_replica_failed("connection refused")
    assert router.db_for_read(Treaty) == PRIMARY
    assert "connection refused" in replica.replica_state().problem


# The measurement reads the replica alias on PostgreSQL (its log position); on SQLite, where the
# alias is the same file, it fails before any query, and opening both would lock the file.
MEASURED = ["default"] if connection.vendor == "sqlite" else ["default", "replica"]


@pytest.mark.django_db(databases=MEASURED)
def test_a_state_older_than_the_check_period_is_measured_again(replica_fit, settings):
    assert replica.replica_state().usable
    settings.REPLICA_CHECK_SECONDS = 0
    # The test database is no replica: measured, it is found unfit.
    state = replica.replica_state()
    assert not state.usable
    assert state.problem.startswith("unreachable or unfit")


@pytest.mark.django_db
def test_a_database_that_is_not_a_replica_is_refused_by_the_lag_measurement():
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="not a replica"):
            replica.measure_lag(PRIMARY, PRIMARY)
    else:
        # SQLite has no write-ahead log position to compare.
        with pytest.raises(DatabaseError):
            replica.measure_lag(PRIMARY, PRIMARY)


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(replica_fit):
    assert router.db_for_read(Treaty) == REPLICA
    with transaction.atomic():
        assert router.db_for_read(Treaty) == PRIMARY
