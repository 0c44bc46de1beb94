"""Intake's domain: units received under customs supervision. Plain Python only."""
