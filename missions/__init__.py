"""Exercises, missions and the security challenges they respond to."""
