from alembic import context

import services.dispatch.db.account_book
import services.dispatch.db.compliance
import services.dispatch.db.dashboard
import services.dispatch.db.filings
import services.dispatch.db.ledger
import services.dispatch.db.owners  # registers the owners intake registered
import services.dispatch.db.stocktake  # noqa: F401 - stocktakes and closed periods
from services.dispatch.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
