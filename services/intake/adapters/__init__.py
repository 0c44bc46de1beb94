"""Intake's adapters to the outside: the customs platform (its worker) and dispatch's account book."""
