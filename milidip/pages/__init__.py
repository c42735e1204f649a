"""Public pages: every record readable by a person (server-rendered HTML, no script needed)."""
