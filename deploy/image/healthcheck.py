"""The image's HEALTHCHECK: GET /healthz on this container's API (standard library only, no curl in the image).

One image serves the four services and the customs simulator; the one running here answers on its
<SERVICE>_PORT (default 8001..8004, CUSTOMS_SIM_PORT 8009)."""
import os
import sys
import urllib.request

DEFAULT_PORTS = {"INTAKE": 8001, "REPAIR": 8002, "DISPATCH": 8003, "PARTNERS": 8004, "CUSTOMS_SIM": 8009}


def main() -> int:
    for name, default in DEFAULT_PORTS.items():
        port = os.environ.get(f"{name}_PORT", str(default))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as resp:
                if resp.status == 200:
                    return 0
        except OSError:
            continue
    return 1


if __name__ == "__main__":
    sys.exit(main())
