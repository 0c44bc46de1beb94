"""Importing this package registers every event of the contract."""
from shared.contract.events import dispatch, intake, repair  # noqa: F401
from shared.contract.events.common import Money, PartLine

__all__ = ["intake", "repair", "dispatch", "Money", "PartLine"]
