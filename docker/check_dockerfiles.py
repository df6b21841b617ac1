"""What a Docker build would find out late, checked without a Docker engine (`make docker-check`):

- every COPY/ADD source exists in the build context (the repo root) and is not excluded by
  .dockerignore;
- every RUN step is also run by a Makefile recipe (Makefile, make/*.mk), so CI exercises it;
  a step that only means something inside the image (creating its user) says so, and why, in a
  comment right above it: `# image-only: <reason>`.

A RUN command and a recipe command match when their words are equal, where a variable
(`$X`, `${X}`, `$(X)`) stands for any one word and leading `NAME=value` assignments and
`cd DIR &&` steps are left out: `RUN npm ci` matches `cd frontend && $(NPM) ci`.

Usage: python docker/check_dockerfiles.py Dockerfile.backend Dockerfile.frontend
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE_ONLY = re.compile(r"^image-only:\s*\S")
VARIABLE = re.compile(r"^\$(\{\w+\}|\(\w+\)|\w+)$")
ASSIGNMENT = re.compile(r"^\w+=")


@dataclass
class Instruction:
    line: int
    keyword: str
    arguments: str
    comments: list[str]  # the comment lines right above it


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined, and the comments right above each."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    comments: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):  # also a comment inside a continued instruction
            comments.append(line.lstrip("#").strip())
            continue
        if not pending and not line:
            comments = []
            continue
        if not pending:
            start = number
        pending.append(line[:-1] if line.endswith("\\") else line)
        if not line.endswith("\\"):
            keyword, _, arguments = " ".join(pending).partition(" ")
            instructions.append(Instruction(start, keyword.upper(), arguments.strip(), comments))
            pending, comments = [], []
    return instructions


def copy_sources(arguments: str) -> tuple[list[str], bool]:
    """The sources of a COPY/ADD and whether they come from another stage or image."""
    flags, rest = [], arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.strip()
    words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    return words[:-1], any(flag.startswith("--from=") for flag in flags)


def dockerignore_patterns(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match, plus `**` for any number of folders)."""
    pattern = pattern.strip().strip("/")
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            out.append(pattern[i : end + 1])
            i = end + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` (or a folder holding it) out of the context; the last
    matching pattern wins and `!pattern` lets a path back in."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        exclude = not pattern.startswith("!")
        regex = _pattern_regex(pattern.lstrip("!"))
        if any(regex.match(candidate) for candidate in candidates):
            ignored = exclude
    return ignored


def commands(text: str) -> list[list[str]]:
    """The simple commands of a shell text, as words, without assignments and `cd` steps."""
    result = []
    for piece in re.split(r"&&|\|\||;", text):
        try:
            words = shlex.split(piece)
        except ValueError:  # make-isms shlex cannot read: not a command a Dockerfile runs
            continue
        while words and ASSIGNMENT.match(words[0]):
            words = words[1:]
        if words and words[0] not in ("cd", "@", "-"):
            result.append(words)
    return result


def recipe_commands_from_text(text: str) -> list[list[str]]:
    """The commands of a makefile's recipes (tab-indented lines, `\\` continuations joined)."""
    found, recipe = [], []
    for line in text.splitlines():
        if line.startswith("\t") or recipe:
            recipe.append(line.strip().removesuffix("\\").lstrip("@-"))
            if not line.endswith("\\"):
                found += commands(" ".join(recipe))
                recipe = []
    return found


def recipe_commands(makefiles: list[Path]) -> list[list[str]]:
    return [c for makefile in makefiles for c in recipe_commands_from_text(makefile.read_text())]


def same_command(run: list[str], recipe: list[str]) -> bool:
    if len(run) != len(recipe):
        return False
    pairs = zip(run, recipe, strict=True)
    return all(a == b or VARIABLE.match(a) or VARIABLE.match(b) for a, b in pairs)


def check(dockerfile: Path, root: Path = ROOT, makefiles: list[Path] | None = None) -> list[str]:
    """The problems of one Dockerfile, as `file:line: message`."""
    if makefiles is None:
        makefiles = [root / "Makefile", *sorted((root / "make").glob("*.mk"))]
    ignore = dockerignore_patterns(root)
    recipes = recipe_commands(makefiles)
    problems = []
    for instruction in parse_dockerfile(dockerfile.read_text()):
        where = f"{dockerfile.name}:{instruction.line}"
        if instruction.keyword in ("COPY", "ADD"):
            sources, from_elsewhere = copy_sources(instruction.arguments)
            for source in [] if from_elsewhere else sources:
                if not ((root / source).exists() or list(root.glob(source.rstrip("/")))):
                    problems.append(f"{where}: {source} does not exist in the build context")
                elif is_ignored(source.rstrip("/"), ignore):
                    problems.append(f"{where}: {source} is excluded by .dockerignore")
        elif instruction.keyword == "RUN":
            if any(IMAGE_ONLY.match(c) for c in instruction.comments):
                continue
            if instruction.arguments.startswith("["):
                runs = [json.loads(instruction.arguments)]
            else:
                runs = commands(instruction.arguments)
            for run in runs:
                if not any(same_command(run, recipe) for recipe in recipes):
                    problems.append(
                        f"{where}: `{' '.join(run)}` is run by no Makefile recipe, "
                        "so CI never runs it"
                    )
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    problems = [p for name in argv for p in check(Path(name).resolve())]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{', '.join(argv)}: COPY sources present, RUN steps run by the Makefile")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
