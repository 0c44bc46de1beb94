"""Repair's domain: work orders (state machine, diagnosis, quote, tests, labour), stock and old parts. Plain Python."""
