"""Intake's use cases: one small async function per command, inside a unit of work."""
