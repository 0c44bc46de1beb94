"""Repair's domain: work orders and their outcomes. Plain Python only."""
