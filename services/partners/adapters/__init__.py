"""Partners' adapters to the outside: the webhook HTTP sender (SSRF-safe) and the delivery worker loop."""
