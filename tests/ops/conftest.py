"""A read replica for the router's tests: a second connection, under the alias "replica", to the
test database itself (what Django's TEST MIRROR gives), so each query shows which alias it took.
The test settings have no replica; this fixture adds one for a test and takes it away after."""

import time

import pytest
from django.db import connections

from milidip.ops import replica


@pytest.fixture(scope="module")
def replica_connection(django_db_setup):
    """The alias, for a whole module: a test's database access is allowed per alias before its
    function-scoped fixtures run (`databases=[...]` on the django_db mark names it)."""
    connections.settings[replica.REPLICA] = dict(connections[replica.PRIMARY].settings_dict)
    yield replica.REPLICA
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


@pytest.fixture
def replica_alias(replica_connection, settings):
    settings.DATABASE_ROUTERS = ["milidip.ops.replica.PrimaryReplicaRouter"]
    settings.REPLICA_CHECK_SECONDS = 3600
    yield replica_connection
    replica._state = None


@pytest.fixture
def replica_fit(replica_alias, monkeypatch):
    """The replica as last measured: 0.2 s behind, within the bound."""
    monkeypatch.setattr(replica, "_state", replica.ReplicaState(0.2, None, time.monotonic()))
    return replica_alias
