"""Repair's use cases."""
