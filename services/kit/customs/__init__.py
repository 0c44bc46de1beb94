"""What every service that declares to the customs platform shares (issue 15): the platform adapter, the lifecycle a
declaration goes through as receipts answer its messages, the stored messages, receipts and feed position, and the
worker that sends what waits and reads the feed (one instance at a time on PostgreSQL). Intake files entries with
it, dispatch exits."""
