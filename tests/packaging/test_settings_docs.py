"""`.env.example` and README's Configuration table are generated from `Settings` and current."""

from __future__ import annotations

import re
from pathlib import Path

from backend import settings_docs
from backend.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STALE = "stale: run `make env-example` (python -m backend.settings_docs) and commit the result"


def test_env_example_is_current() -> None:
    assert (ROOT / ".env.example").read_text() == settings_docs.render_env_example(), STALE


def test_readme_configuration_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert settings_docs.with_readme_table(readme) == readme, STALE


def test_every_setting_is_listed_once_with_a_meaning() -> None:
    env_example = settings_docs.render_env_example()
    table = settings_docs.render_readme_table()
    for name in Settings.model_fields:
        variable = f"FACEPROOF_{name}"
        assert env_example.count(f"# {variable}=") == 1, variable
        row = next(line for line in table.splitlines() if line.startswith(f"| `{variable}` |"))
        assert row.split(" | ")[2].strip(" |"), f"{variable} has no meaning in the table"


def test_uncommented_example_gives_the_defaults(tmp_path: Path, monkeypatch) -> None:
    # copying .env.example to .env and uncommenting a line must not change anything; settings
    # without a default value (unset) stay commented, as a user would leave them
    for name in Settings.model_fields:
        monkeypatch.delenv(f"FACEPROOF_{name}", raising=False)
    lines = [
        line[2:]
        for line in settings_docs.render_env_example().splitlines()
        if re.match(r"# FACEPROOF_\w+=.", line)
    ]
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    assert Settings(_env_file=env_file) == Settings(_env_file=None)


def test_compose_variables_are_the_documented_ones() -> None:
    used = {}
    for compose_file in ROOT.glob("docker-compose*.yml"):
        for name, default in re.findall(r"\$\{(\w+):-([^}]*)\}", compose_file.read_text()):
            used[name] = default
    documented = {name: default for name, (default, _) in settings_docs.COMPOSE_VARIABLES.items()}
    assert used == documented


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- settings-table -->\nold\n<!-- /settings-table -->\n")
    env_example = tmp_path / ".env.example"
    args = ["--readme", str(readme), "--env-example", str(env_example)]
    assert settings_docs.main([*args, "--check"]) == 1
    assert settings_docs.main(args) == 0
    assert settings_docs.main([*args, "--check"]) == 0
    assert "| `FACEPROOF_PORT` | `8000` |" in readme.read_text()
