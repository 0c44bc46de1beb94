"""The fault run (`make faults`): a few hundred units through each fault, counted from the services' APIs.

Not a pytest package: no module here is named ``test_*``; ``harness`` is also imported by tests/e2e.
"""
