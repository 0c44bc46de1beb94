"""The service runtime every bondline service is built on: settings, database, auth, operations, CLI.

Not domain, not contract: the plumbing that makes the three services the same shape.
"""
