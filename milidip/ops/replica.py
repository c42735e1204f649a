"""Reads from the read replica, writes and a writer's next reads from the primary.

With DATABASE_REPLICA_URL set, settings add the database alias "replica" and name
`PrimaryReplicaRouter`. Reads go to the replica unless one of these sends them to the primary
("default"):

- the response may be kept in the read cache under the current data version
  (milidip.versions.reading_to_keep): a replica may not yet have a write whose version is
  already current, and what it gave would be kept as that version's answer;
- the request is pinned (`pinned_to_primary`): it is a write (POST, PUT, PATCH, DELETE), or its
  caller wrote less than READ_YOUR_WRITES_SECONDS ago (milidip.ops.middleware says who did);
- a transaction is open on the primary (a read inside it must see its own writes and its locks);
- the replica is not fit (`replica_state`): it lags more than REPLICA_MAX_LAG_SECONDS behind the
  primary, is not a replica at all, or cannot be reached. The state is measured at most every
  REPLICA_CHECK_SECONDS per process and kept meanwhile, so a dead replica costs one failed
  connection per process per period, not one per query.

Without the alias every decision is None, so Django uses "default" as it always did.
"""

import contextvars
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from milidip.versions import reading_to_keep_now

PRIMARY = "default"
REPLICA = "replica"

_pinned = contextvars.ContextVar("milidip_pinned_to_primary", default=False)


def replica_configured():
    return REPLICA in connections.settings


def pinned_to_primary():
    """True while this request's reads must go to the primary."""
    return _pinned.get()


def pin_to_primary():
    """Send the rest of this request's reads to the primary; returns a token for `unpin`."""
    return _pinned.set(True)


def unpin(token):
    _pinned.reset(token)


@dataclass(frozen=True)
class ReplicaState:
    """What the last check found: `lag` in seconds (None when not measured) and, when the
    replica may not be read, why (`problem`)."""

    lag: float | None
    problem: str | None
    checked_at: float

    @property
    def usable(self):
        return self.problem is None


def measure_lag(primary=PRIMARY, replica=REPLICA):
    """Seconds the replica is behind the primary, measured on both.

    The primary's current WAL position is read first; a replica that has replayed up to it had
    everything the primary had then, and lags 0. Otherwise its lag is the time since the last
    transaction it replayed was committed (pg_last_xact_replay_timestamp): no later than when
    the first transaction it still misses was. Raises DatabaseError when either cannot be asked,
    and ValueError when the replica is not one (not in recovery, or never replayed anything).
    """
    with connections[primary].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (primary_position,) = cursor.fetchone()
    with connections[replica].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
            [primary_position],
        )
        in_recovery, caught_up, since_last_replay = cursor.fetchone()
    if not in_recovery:
        raise ValueError("not a replica: the database is not in recovery")
    if caught_up:
        return 0.0
    if since_last_replay is None:
        raise ValueError("the replica has replayed no transaction yet")
    return max(0.0, float(since_last_replay))


def judge(lag, bound):
    """The problem with reading a replica `lag` seconds behind, or None when within `bound`."""
    if lag > bound:
        return f"lags {lag:.1f} s behind the primary, over the bound of {bound:g} s"
    return None


_state_lock = threading.Lock()
_state = None


def check_replica():
    """Measure the replica now and keep the result for REPLICA_CHECK_SECONDS."""
    global _state
    try:
        lag = measure_lag()
        state = ReplicaState(lag, judge(lag, settings.REPLICA_MAX_LAG_SECONDS), time.monotonic())
    except (DatabaseError, ValueError) as error:
        # A broken connection is dropped so that the next check connects afresh.
        connections[REPLICA].close()
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        state = ReplicaState(None, f"unreachable or unfit: {first_line}", time.monotonic())
    with _state_lock:
        _state = state
    return state


def replica_state():
    """The replica's state as last measured, measured again once REPLICA_CHECK_SECONDS old."""
    state = _state
    if state is None or time.monotonic() - state.checked_at >= settings.REPLICA_CHECK_SECONDS:
        state = check_replica()
    return state


def mark_replica_failed(reason):
    """A read on the replica just failed: read from the primary until the next check."""
    global _state
    with _state_lock:
        _state = ReplicaState(None, f"failed a read: {reason}", time.monotonic())


class PrimaryReplicaRouter:
    """Django database router for a primary ("default") and one streaming replica."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if pinned_to_primary() or reading_to_keep_now() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if replica_state().usable else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by itself; it is read-only.
        return db == PRIMARY
