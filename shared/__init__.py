"""What the three services must agree on: the event contract and the messaging plumbing."""
