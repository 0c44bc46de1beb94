from alembic import context

import services.partners.db.journal  # noqa: F401 - registers the journal's models
import services.partners.db.webhooks  # noqa: F401 - registers the webhooks' models
from services.partners.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
