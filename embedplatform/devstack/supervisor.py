"""Starts child processes and stops every one of them, whatever ends the parent."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child, before exec: the kernel sends SIGTERM when the parent dies (even by SIGKILL)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _child_setup() -> None:
    os.setsid()
    die_with_parent()


@dataclass
class Supervisor:
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        cwd: str | None = None,
        log: Path | None = None,
    ) -> None:
        """Start a child in its own process group; its output goes to `log` when given (else ours)."""
        output = open(log, "ab") if log else None  # noqa: SIM115 - handed to the child, closed below
        try:
            self.children[name] = subprocess.Popen(
                list(command), env=dict(env), cwd=cwd, preexec_fn=_child_setup, stdout=output, stderr=output
            )
        finally:
            if output:
                output.close()

    def first_exited(self) -> str | None:
        for name, process in self.children.items():
            if process.poll() is not None:
                return name
        return None

    def stop_all(self, grace_seconds: float = 20) -> None:
        for process in self.children.values():
            self._signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for process in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait()
        self.children.clear()

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
