"""Running milidip on more than one machine: the read replica's router, read-your-writes, health
and readiness, metrics and the per-request JSON log (README, "Running in production")."""
