"""Importing this package registers every event of the contract."""
from shared.contract.events import dispatch, intake, repair
from shared.contract.events.common import Money, PartLine

__all__ = ["Money", "PartLine", "dispatch", "intake", "repair"]
