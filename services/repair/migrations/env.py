from alembic import context

from services.repair.db.tables import metadata
from services.kit.migrations import run_env

run_env(context, metadata)
