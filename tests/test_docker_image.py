"""The Docker image builds: its steps, replayed here without Docker, work from exactly the files it copies.

There is no Docker engine on these machines. This test reads the Dockerfile and .dockerignore, builds the
context the way `docker build` does (everything in the folder but what .dockerignore excludes), replays
each COPY into a scratch /app, and runs each RUN step there with a Python that cannot see this checkout
(no editable install, no repository on sys.path): only what the image copied and installed.
Steps that need the network or root (the torch wheel from PyTorch's index, useradd) are checked, not run.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
TORCH_STEP = re.compile(r"^pip install torch==(\S+) --index-url https://download\.pytorch\.org/whl/cpu$")
REQUIREMENTS_STEP = re.compile(r"^(python -c .+) > (\S+) \s*&& pip install -r (\S+)$", re.S)
SYSTEM_STEPS = ("useradd ",)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, rest = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), " ".join(rest.split())))
        pending = ""
    return instructions


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match plus `**`) as a regex over slash-separated paths."""
    regex = re.escape(pattern.strip("/")).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
    return re.compile("^" + regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "$")


def docker_context(root: Path) -> list[str]:
    """The files `docker build` would send: all of them, less what .dockerignore excludes."""
    lines = (root / ".dockerignore").read_text().splitlines()
    patterns = [_pattern_regex(line) for line in lines if line.strip() and not line.startswith("#")]

    def ignored(relative: str) -> bool:
        return any(pattern.match(relative) for pattern in patterns)

    files = []
    for directory, subdirectories, names in os.walk(root):
        base = Path(directory).relative_to(root)
        subdirectories[:] = [name for name in subdirectories if not ignored((base / name).as_posix())]
        files += [(base / name).as_posix() for name in names if not ignored((base / name).as_posix())]
    return sorted(files)


@dataclass
class ImageReplay:
    """A scratch image: /app maps to <scratch>/app, and `python` cannot see the checkout."""

    scratch: Path
    context: list[str]
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    command: list[str] | None = None

    @property
    def site(self) -> Path:
        return self.scratch / "site"

    def image_path(self, path: str) -> str:
        return path.replace("/app", str(self.scratch / "app")).replace(
            "/models", str(self.scratch / "models")
        )

    def isolated_python(self) -> Path:
        """`python` for RUN steps: no site processing (so no editable install of this checkout), the image's
        installed project first, then the already installed third-party packages."""
        bin_dir = self.scratch / "bin"
        bin_dir.mkdir(exist_ok=True)
        wrapper = bin_dir / "python"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
        wrapper.chmod(0o755)
        return bin_dir

    def apply(self, keyword: str, arguments: str) -> None:
        handler = getattr(self, f"_{keyword.lower()}", None)
        if handler is None:
            pytest.fail(f"the replay does not know the {keyword} instruction; teach it")
        handler(arguments)

    def _from(self, arguments: str) -> None:
        assert arguments.startswith("python:3.11"), arguments

    def _env(self, arguments: str) -> None:
        for pair in shlex.split(arguments):
            name, _, value = pair.partition("=")
            self.env[name] = self.image_path(value)

    def _workdir(self, arguments: str) -> None:
        self.workdir = Path(self.image_path(arguments))
        self.workdir.mkdir(parents=True, exist_ok=True)

    def _copy(self, arguments: str) -> None:
        *sources, destination = arguments.split()
        target = self.workdir / destination
        for source in sources:
            wanted = [
                name
                for name in self.context
                if source == "." or name == source or name.startswith(source + "/")
            ]
            assert wanted, f"COPY {source}: not in the build context"
            for name in wanted:
                relative = name if source == "." else name[len(source) :].lstrip("/") or Path(name).name
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, target / relative)

    def _run(self, arguments: str) -> None:
        if match := TORCH_STEP.match(arguments):
            assert importlib.metadata.version("torch").split("+")[0] == match[1]
            return
        if arguments.startswith(SYSTEM_STEPS):
            return
        if match := REQUIREMENTS_STEP.match(arguments):
            requirements_file = self.scratch / "requirements.txt"
            self._shell(match[1] + f" > {requirements_file}")
            _assert_installed(requirements_file.read_text().split("\n"))
            return
        if arguments == "pip install --no-deps .":
            pip = [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
            ]
            subprocess.run([*pip, "--target", str(self.site), "."], cwd=self.workdir, check=True, timeout=300)
            return
        if re.match(r"^([A-Z_]+=\S+ )*python ", arguments):
            self._shell(arguments)
            return
        pytest.fail(f"the replay does not know this build step; teach it: RUN {arguments}")

    def _shell(self, command: str) -> subprocess.CompletedProcess[str]:
        python_path = [str(self.site), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        env = {
            "PATH": f"{self.isolated_python()}:/usr/bin:/bin",
            "HOME": str(self.scratch),
            "PYTHONPATH": ":".join(dict.fromkeys(python_path)),
            **self.env,
        }
        result = subprocess.run(
            ["sh", "-c", self.image_path(command)],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"RUN {command}\n{result.stdout}\n{result.stderr}"
        return result

    def _user(self, arguments: str) -> None:
        assert arguments == "app"

    def _expose(self, arguments: str) -> None:
        assert arguments == self.env.get("PORT")

    def _cmd(self, arguments: str) -> None:
        self.command = shlex.split(arguments.replace('", "', " ").strip("[]").replace('"', ""))


def _assert_installed(requirements: list[str]) -> None:
    for line in filter(None, (line.strip() for line in requirements)):
        requirement = Requirement(line)
        version = importlib.metadata.version(requirement.name)
        assert requirement.specifier.contains(version, prereleases=True), f"{line}: {version} installed"


def replay(dockerfile: str, scratch: Path) -> ImageReplay:
    image = ImageReplay(scratch=scratch, context=docker_context(ROOT))
    for keyword, arguments in dockerfile_instructions(dockerfile):
        image.apply(keyword, arguments)
    return image


def test_the_build_context_leaves_local_state_out():
    context = docker_context(ROOT)

    assert "manage.py" in context and "apikeys/models.py" in context and "pyproject.toml" in context
    for local in (".venv/", ".git/", ".data/", ".pytest_cache/", "__pycache__/"):
        assert not any(name.startswith(local) or f"/{local}" in name for name in context), local


def test_the_image_steps_install_the_project_and_collect_static_files_from_the_copied_files(tmp_path):
    image = replay((ROOT / "Dockerfile").read_text(), tmp_path)

    static = tmp_path / "app" / "static"
    assert (static / "admin" / "css" / "base.css").exists()
    assert (static / "drf_spectacular_sidecar" / "swagger-ui-dist" / "swagger-ui-bundle.js").exists()
    probe = "import apikeys, chat, embeddings, embedplatform; print(apikeys.__file__, embedplatform.__file__)"
    located = image._shell(f'python -c "{probe}"').stdout.split()
    assert all(path.startswith(str(tmp_path)) for path in located), located
    assert image.command == ["python", "-m", "embedplatform.serve", "web"]


def test_the_replay_notices_an_image_that_leaves_an_app_out(tmp_path):
    """Guards the test above: the old Dockerfile copied the apps one by one and missed apikeys/."""
    dockerfile = (
        (ROOT / "Dockerfile")
        .read_text()
        .replace(
            "COPY . .",
            "COPY embedplatform embedplatform\nCOPY embeddings embeddings\nCOPY chat chat\nCOPY manage.py ./",
        )
    )

    with pytest.raises(AssertionError, match="apikeys"):
        replay(dockerfile, tmp_path)
