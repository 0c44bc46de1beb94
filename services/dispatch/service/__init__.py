"""Dispatch's use cases."""
