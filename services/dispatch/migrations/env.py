from alembic import context

import services.dispatch.db.dashboard
import services.dispatch.db.ledger  # noqa: F401 - registers the ledger's models
from services.dispatch.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
