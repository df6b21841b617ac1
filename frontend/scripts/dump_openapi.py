"""Write the backend's OpenAPI schema (the source of the app's API types) to a file.

Usage: python frontend/scripts/dump_openapi.py frontend/openapi.json
Building the schema needs no model: the app is created, never started.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    # this checkout's backend, not the one an editable install points at (another worktree)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from backend.main import create_app

    target = Path(sys.argv[1])
    schema = create_app().openapi()
    target.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
