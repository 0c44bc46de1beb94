"""Dispatch's domain: where each unit goes after repair. Plain Python only."""
