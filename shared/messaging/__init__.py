"""Thin messaging plumbing: outbox/inbox tables, relay loop, consumer loop, unit of work base, fakes."""
