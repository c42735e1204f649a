"""Liveness and readiness, for load balancers and orchestrators.

- GET /health/live: the process answers. It touches nothing (no database, no cache), so a
  server whose database is down is not restarted for it.
- GET /health/ready: may this server take traffic? It checks the primary database (a query),
  the cache (a write and a read-back in every configured cache: Redis when REDIS_URL is set)
  and the read replica's lag, and answers 200 when ready, 503 when not, with a status per
  component. A replica that lags or is down does not make the server unready, since reads then
  go to the primary (milidip.ops.replica): it is reported as "degraded".

Neither is throttled, cached or authenticated: a probe must never be refused for a budget, and
its answer must be the server's state now. Readiness costs one query and two cache round trips
(the replica's lag is measured at most every REPLICA_CHECK_SECONDS per process).
"""

import secrets
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from milidip.ops.replica import PRIMARY, replica_configured, replica_state

OK, DEGRADED, FAILING, OFF = "ok", "degraded", "failing", "off"


class HealthComponentSerializer(serializers.Serializer):
    """One component's state in the readiness answer."""

    status = serializers.ChoiceField(
        choices=[OK, DEGRADED, FAILING, OFF],
        help_text="ok; degraded (the server works around it); failing (not ready); off "
        "(not configured).",
    )
    detail = serializers.CharField(allow_null=True, help_text="What is wrong, if anything.")
    seconds = serializers.FloatField(
        allow_null=True, help_text="How long the check took (the replica: its lag)."
    )


Readiness = inline_serializer(
    "Readiness",
    {
        "status": serializers.ChoiceField(choices=["ready", "not ready"]),
        "components": inline_serializer(
            "ReadinessComponents",
            {
                "database": HealthComponentSerializer(),
                "replica": HealthComponentSerializer(),
                "cache": HealthComponentSerializer(),
            },
        ),
    },
)
Liveness = inline_serializer("Liveness", {"status": serializers.ChoiceField(choices=["alive"])})


class ProbeView(APIView):
    """A probe: no authentication, no throttle, JSON only, never cached."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    schema = AutoSchema()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(
    summary="Liveness: the process answers",
    tags=["health"],
    responses={200: Liveness},
)
class LivenessView(ProbeView):
    def get(self, request):
        return Response({"status": "alive"})


def timed(check):
    """Run `check` (which returns a detail or None); the component's status, detail and time."""
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as error:  # any failure of a dependency is its status, never a 500
        lines = str(error).strip().splitlines() or [""]
        detail = f"{type(error).__name__}: {lines[0]}"
        return {
            "status": FAILING,
            "detail": detail,
            "seconds": round(time.perf_counter() - started, 6),
        }
    return {"status": OK, "detail": detail, "seconds": round(time.perf_counter() - started, 6)}


def check_database():
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_caches():
    for alias in settings.CACHES:
        cache = caches[alias]
        key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
        cache.set(key, value, 10)
        read = cache.get(key)
        cache.delete(key)
        if read != value:
            raise RuntimeError(f"cache {alias!r} did not give back what was written")


def replica_component():
    if not replica_configured():
        return {"status": OFF, "detail": None, "seconds": None}
    state = replica_state()
    if state.usable:
        return {"status": OK, "detail": None, "seconds": state.lag}
    return {
        "status": DEGRADED,
        "detail": f"reads go to the primary: {state.problem}",
        "seconds": state.lag,
    }


@extend_schema(
    summary="Readiness: the database, the cache and the replica",
    description="200 when the server may take traffic, 503 when the primary database or "
    "the cache fails. A lagging or unreachable replica is `degraded`: reads then go to the "
    "primary.",
    tags=["health"],
    responses={200: Readiness, 503: Readiness},
)
class ReadinessView(ProbeView):
    def get(self, request):
        components = {
            "database": timed(check_database),
            "replica": replica_component(),
            "cache": timed(check_caches),
        }
        ready = all(component["status"] != FAILING for component in components.values())
        return Response(
            {"status": "ready" if ready else "not ready", "components": components},
            status=200 if ready else 503,
        )
