from alembic import context

from services.kit.migrations import run_env
from services.repair.db.tables import metadata

run_env(context, metadata)
