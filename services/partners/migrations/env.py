from alembic import context

import services.partners.db.journal
import services.partners.db.webhooks  # noqa: F401 - registers the webhooks' models
from services.kit.migrations import run_env
from services.partners.db.tables import metadata

run_env(context, metadata)
