"""python -m services.customs_simulator: the customs platform SIMULATOR on CUSTOMS_SIM_PORT (8009)."""
from __future__ import annotations

import uvicorn

from services.customs_simulator.app import create_app
from services.customs_simulator.settings import SimulatorSettings
from services.kit import logs


def main() -> None:
    settings = SimulatorSettings()
    logs.configure("customs-simulator", "INFO", "console")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
