from alembic import context

import services.dispatch.db.account_book
import services.dispatch.db.dashboard
import services.dispatch.db.ledger
import services.dispatch.db.owners  # noqa: F401 - registers the owners intake registered
from services.dispatch.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
