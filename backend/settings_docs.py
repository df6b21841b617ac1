"""The settings' documentation, generated from `Settings` so it cannot go stale: `.env.example`
(every variable, its default and meaning) and the README's Configuration table.

`python -m backend.settings_docs` (`make env-example`) rewrites both from the repo root;
`--check` only says whether they are current (tests/packaging/test_settings_docs.py asserts it).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import typing
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from backend.core.settings import MB, Settings

PREFIX = Settings.model_config["env_prefix"]
README_MARKERS = ("<!-- settings-table -->", "<!-- /settings-table -->")

# Read by docker compose to fill in docker-compose.yml, never by the service: name -> (default,
# meaning). tests/packaging/test_settings_docs.py checks them against docker-compose.yml.
COMPOSE_VARIABLES = {
    "FACEPROOF_WEB_PORT": ("8080", "host port of the web app (nginx)"),
    "FACEPROOF_API_PORT": ("8000", "host port of the API itself, published on 127.0.0.1 only"),
    "FACEPROOF_MODELS_PATH": ("./models", "host folder of model bundles, mounted read-only"),
    "TORCH_INDEX_URL": (
        "https://download.pytorch.org/whl/cpu",
        "wheel index the backend image takes torch from: PyTorch's CPU wheels",
    ),
    "TORCH_GPU_INDEX_URL": (
        "https://pypi.org/simple",
        "the same with docker-compose.gpu.yml: PyPI, whose Linux torch wheels are the CUDA build",
    ),
    "FACEPROOF_POSTGRES_PASSWORD": (
        "faceproof",
        "the PostgreSQL password of docker-compose.scale.yml: set your own",
    ),
}

ENV_HEADER = f"""\
# FaceProof settings. Copy to .env and uncomment what you change.
# Generated from backend/core/settings.py by `make env-example`: do not edit by hand.
#
# Read by the service (`make run` reads .env in its working directory; every setting is
# {PREFIX}<NAME>) and by `docker compose`, which passes them to the backend container,
# except those docker-compose.yml sets itself under `environment:` (host, port, paths).
"""


def env_value(value: object) -> str:
    """A default as it is written in an env file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


def default_of(field: FieldInfo) -> object:
    return field.get_default(call_default_factory=True)


def meaning_of(name: str, field: FieldInfo) -> str:
    """The field's description, plus its choices when it has a fixed set."""
    parts = [field.description] if field.description else []
    if typing.get_origin(field.annotation) is typing.Literal:
        choices = [f"`{c}`" for c in typing.get_args(field.annotation)]
        parts.append("one of " + ", ".join(choices))
    return "; ".join(parts) or name.lower().replace("_", " ")


def readme_default(name: str, value: object) -> str:
    text = env_value(value)
    if not text:
        return "unset" if value is None else "empty"
    if name.endswith("_BYTES") and isinstance(value, int) and value % MB == 0:
        return f"`{text}` ({value // MB} MiB)"
    return f"`{text}`"


def render_env_example() -> str:
    lines = [ENV_HEADER]
    for name, field in Settings.model_fields.items():
        lines.append(f"# {meaning_of(name, field)}")
        lines.append(f"# {PREFIX}{name}={env_value(default_of(field))}")
        lines.append("")
    lines.append("# --- read by docker compose only (docker-compose.yml) ---")
    lines.append("")
    for name, (default, meaning) in COMPOSE_VARIABLES.items():
        lines.append(f"# {meaning}")
        lines.append(f"# {name}={default}")
        lines.append("")
    return "\n".join(lines)


def render_readme_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        meaning = meaning_of(name, field).replace("|", "\\|")
        rows.append(f"| `{PREFIX}{name}` | {readme_default(name, default_of(field))} | {meaning} |")
    return "\n".join(rows)


def with_readme_table(readme: str) -> str:
    """The README's text with the table between its markers replaced."""
    start, end = README_MARKERS
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), flags=re.S)
    if not pattern.search(readme):
        raise ValueError(f"README has no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{render_readme_table()}\n{end}", readme, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a file is stale")
    parser.add_argument("--env-example", type=Path, default=Path(".env.example"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    args = parser.parse_args(argv)

    wanted = {
        args.env_example: render_env_example(),
        args.readme: with_readme_table(args.readme.read_text()),
    }
    stale = [
        path for path, text in wanted.items() if not path.is_file() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            current = path.read_text().splitlines(keepends=True) if path.is_file() else []
            sys.stdout.writelines(
                difflib.unified_diff(
                    current, wanted[path].splitlines(keepends=True), str(path), "generated"
                )
            )
            print(f"{path} is stale: run `make env-example` and commit it", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
