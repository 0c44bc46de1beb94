"""The image installs the project as a wheel (deploy/Dockerfile: pip install /src, not editable): every file the
services read at run time must be in it (templates, catalogues, reference data, schemas, static files)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_every_file_the_services_read(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "services", "shared"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    # script.py.mako: only for writing a new migration (alembic revision), never read by a running service
    wanted = {f for f in tracked if not f.endswith((".py", ".md", "script.py.mako")) and "/tests/" not in f}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(f for f in wanted if f not in inside)
    assert not missing, f"not in the wheel (add them to [tool.setuptools.package-data]): {missing[:20]}"
    assert any(f.endswith("templates/book.html") for f in inside) and len(wanted) > 50
