from alembic import context

from services.dispatch.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
