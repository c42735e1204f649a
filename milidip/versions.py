"""The data version: one number that every committed write moves, so readers know when what
they hold (an ETag, a cached response) may be stale without reading any record.

- `current()` is the version now: one cache read (Redis when REDIS_URL is set, shared by every
  worker and server), or one indexed read of the `DataVersion` row in the database otherwise, so
  two processes without Redis still agree.
- `data_changed()` says "what reads return has changed": inside a transaction it moves the
  version once, when (and only if) the transaction commits (`transaction.on_commit`); outside
  one, at once. It is called from model signals for every app whose tables the reads show
  (`connect_signals`, from the sources app's `ready()`), from the import framework and the
  restore (whose bulk writes send no signals), and at the end of every signed-in write request
  (milidip.api.caching), whatever door it came through.
- A version never comes back: each move takes it to at least the current time in microseconds,
  so a version lost with a flushed Redis, or an older one brought back by a restored backup,
  starts again above every version used before.

Readers take the version before they read any record: a write that commits meanwhile can only
make them keep newer data under an older version, never older data under a newer one. That
holds on the primary; a streaming replica may not have replayed a write whose version a reader
already sees, so a response that may be kept under a version is read from the primary
(`reading_to_keep`, which the replica router honours: milidip.ops.replica).
"""

import contextvars
import os
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save

CACHE_KEY = "data-version"
# Set in the environ of an anonymous read the read cache let through to its view: the data
# version it began at, under which what the view computes from the data may be kept (a list's
# count: milidip.api.pagination).
READ_VERSION = "milidip.read_cache.version"
_reading_to_keep = contextvars.ContextVar("milidip_reading_to_keep", default=False)
_read_version = contextvars.ContextVar("milidip_read_version", default=None)
_KEPT_IN_PROCESS = []
# Tables whose changes no read shows: sessions, logins and their lockouts, API tokens, users.
UNSHOWN_APPS = {"admin", "auth", "axes", "contenttypes", "sessions", "tokens"}


def kept_in_process(memo):
    """Register `memo`, a dict a process keeps of what it read at some data version (keyed with
    the version, so a write makes its entries stale): forget_kept_in_process empties them all."""
    _KEPT_IN_PROCESS.append(memo)
    return memo


def forget_kept_in_process():
    """Empty every memo kept_in_process registered (the tests do before each test, whose
    rolled-back writes leave a version the database-kept store can give again)."""
    for memo in _KEPT_IN_PROCESS:
        memo.clear()


def reading_to_keep_now():
    """True while a response that may be kept under the data version is being read."""
    return _reading_to_keep.get()


def read_version():
    """The data version the read under way began at, while what it reads may be kept under it
    (reading_to_keep was given it), else None."""
    return _read_version.get()


@contextmanager
def reading_to_keep(version=None):
    """Read what follows from the primary: it may be kept under the current data version
    (`version`, when the caller took it: read_version() gives it meanwhile)."""
    token = _reading_to_keep.set(True)
    version_token = _read_version.set(version)
    try:
        yield
    finally:
        _read_version.reset(version_token)
        _reading_to_keep.reset(token)


def _now():
    return time.time_ns() // 1000


def _version_model():
    return apps.get_model("sources", "DataVersion")


def _store():
    return caches[settings.DATA_VERSION_CACHE] if settings.DATA_VERSION_CACHE else None


def current():
    """The data version now (an integer)."""
    store = _store()
    if store is not None:
        version = store.get(CACHE_KEY)
        if version is None:
            store.add(CACHE_KEY, _now(), timeout=None)
            version = store.get(CACHE_KEY)
        return version
    # From the primary, where writes move it (a replica may not have replayed the last move).
    versions = _version_model().objects.using(DEFAULT_DB_ALIAS)
    return versions.values_list("version", flat=True).filter(pk=1).first() or 0


# Where a process keeps its own Redis connection for `current_if_set` (on the cache backend, which
# Django makes once per thread and anew when the cache settings change).
_CONNECTION = "_milidip_data_version_connection"


def current_if_set():
    """The data version as `current()` gives it, or None when none is set yet (`current()` sets
    one), read as cheaply as the store allows: with Redis, one GET sent on a connection this
    process keeps for it, without the layers of Django's cache API and redis-py's command
    machinery, which cost a 304 answered before Django (milidip.ops.early) several times the
    round trip itself. An error reading it is raised, as `current()` raises it."""
    store = _store()
    redis = getattr(getattr(store, "_cache", None), "get_client", None)
    if redis is None:  # the database, or a cache of another kind
        return current()
    held = getattr(store, _CONNECTION, None)
    if held is None or held[0] != os.getpid():  # none yet, or one the parent process opened
        connection = redis(write=False).connection_pool.get_connection()
        held = (os.getpid(), connection, store.make_key(CACHE_KEY))
        setattr(store, _CONNECTION, held)
    _, connection, key = held
    try:
        connection.send_command("GET", key)
        value = connection.read_response()
    except Exception:
        connection.disconnect()  # the next GET connects it again
        raise
    # Django's Redis serializer keeps an integer as its digits.
    return None if value is None else int(value)


def current_and(alias, keys):
    """The data version and the values of `keys` in the cache `alias`: in one round trip when
    the version lives in that cache too (Redis), else the version first, then the values."""
    store = caches[alias]
    if alias != settings.DATA_VERSION_CACHE:
        return current(), store.get_many(keys)
    values = store.get_many([CACHE_KEY, *keys])
    version = values.pop(CACHE_KEY, None)
    return (current() if version is None else version), values


def bump():
    """Move the data version now (callers normally want `data_changed`)."""
    store = _store()
    if store is not None:
        try:
            store.incr(CACHE_KEY)
        except ValueError:  # lost (a flushed or restarted Redis): start above every old one
            if not store.add(CACHE_KEY, _now(), timeout=None):
                store.incr(CACHE_KEY)
        return
    model = _version_model()
    if not model.objects.filter(pk=1).update(version=Greatest(F("version") + 1, Value(_now()))):
        model.objects.get_or_create(pk=1, defaults={"version": _now()})


class _PendingBump:
    """The one bump a transaction has asked for; `done` once it ran (at commit)."""

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        bump()


def _pending(connection):
    pending = getattr(connection, "milidip_pending_bump", None)
    if pending is None or pending.done:
        return None
    # Rolled back (the whole transaction or its savepoint): Django dropped the callback.
    if not any(callback is pending for _, callback, _ in connection.run_on_commit):
        return None
    return pending


def data_changed(using="default"):
    """What reads return has changed: move the data version when this transaction commits
    (once per transaction, however many rows it writes), or now outside a transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump()
        return
    if _pending(connection) is None:
        connection.milidip_pending_bump = _PendingBump()
        transaction.on_commit(connection.milidip_pending_bump, using=using)


def uncommitted_changes(using="default"):
    """True while this connection's transaction holds writes not yet counted in the version
    (a read made inside it must not use, nor fill, what is shared between readers)."""
    connection = connections[using]
    return connection.in_atomic_block and _pending(connection) is not None


def _on_write(sender, using="default", **kwargs):
    if sender._meta.apps is not apps:
        return  # a migration's historical model: the tables are still being made
    if sender._meta.app_label in UNSHOWN_APPS or sender is _version_model():
        return
    data_changed(using)


def connect_signals():
    """Move the version on every save, deletion and many-to-many change of a shown model."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_on_write, dispatch_uid=f"milidip-data-version-{name}")
