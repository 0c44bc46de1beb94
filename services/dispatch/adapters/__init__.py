"""Dispatch's adapters to the outside: the customs platform."""
