"""The SystemC board of a Chip: a ``mind-board --listen`` child process on a
unix socket in a temporary directory. SystemC elaborates one board per process
and its fatal errors end the process, so each chip gets a process of its own;
the module never loads SystemC."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import weakref

from . import _core, _paths
from ._errors import BadArgument, BoardError

# How long a board may take to start serving, and how long it keeps serving
# with no client connected (a parent that died without closing its chips).
_START_S = 60.0
_IDLE_S = 60.0


def board_program() -> str:
    """mind-board: $MIND1024_BOARD, else the one built (or installed) with this package."""
    return os.environ.get("MIND1024_BOARD") or _paths.BOARD


def firmware_image() -> str:
    """The command firmware the board runs: $MIND1024_FIRMWARE, else the one built with this package."""
    return os.environ.get("MIND1024_FIRMWARE") or _paths.FIRMWARE


def _end(proc: subprocess.Popen, directory: str) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # mind-board ends its serving loop and exits 0
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(directory, ignore_errors=True)


class BoardProcess:
    """One running ``mind-board --listen unix:PATH`` with the chip's parameters."""

    def __init__(self, params, faults: str = "", datapath: str = "cpp", with_firmware: bool = True) -> None:
        program, firmware = board_program(), firmware_image()
        for what, path in (("mind-board", program), ("the board firmware", firmware)):
            if not os.path.isfile(path):
                raise BoardError(f"{what} {path} does not exist: build the targets mind-board and firmware "
                                 f"(or set MIND1024_BOARD / MIND1024_FIRMWARE)")
        if datapath not in ("cpp", "rtl"):
            raise BadArgument(f"datapath = {datapath!r}: the datapaths are 'cpp' and 'rtl'")
        self.directory = tempfile.mkdtemp(prefix="mind1024-board-")
        self.address = "unix:" + os.path.join(self.directory, "board.sock")
        self.log_path = os.path.join(self.directory, "board.log")
        # Bare mode needs no firmware: a board without one runs nothing between the host's accesses.
        args = [program, "--listen", self.address, "--listen-timeout", str(_IDLE_S), "--datapath", datapath]
        args += ["--firmware", firmware] if with_firmware else ["--no-firmware"]
        values = params.to_dict()
        for p in _core.chip_param_table():
            args += ["--" + p["option"], repr(values[p["member"]])]
        if faults:
            args += ["--faults", faults]
        with open(self.log_path, "wb") as log:
            # A session of its own: Ctrl-C in a terminal reaches Python, not the board.
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._finalizer = weakref.finalize(self, _end, self.proc, self.directory)
        self._wait_serving()

    def _wait_serving(self) -> None:
        deadline = time.monotonic() + _START_S
        while True:
            if "serving the host link" in self.log():
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                why = self.status() if self.proc.poll() is not None else f"no answer within {_START_S:g} s"
                log = self.log().strip()
                self.close()
                raise BoardError(f"mind-board did not start ({why}): {log}")
            time.sleep(0.005)

    def log(self) -> str:
        """What the board process wrote so far (stdout and stderr)."""
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status(self) -> str:
        """How the process ended ('running' if it has not)."""
        rc = self.proc.poll()
        if rc is None:
            return "running"
        if rc < 0:
            try:
                return f"killed by {signal.Signals(-rc).name}"
            except ValueError:
                return f"killed by signal {-rc}"
        return f"exit code {rc}"

    def explain(self, error: BoardError) -> BoardError | None:
        """A BoardError saying how the process ended, if it has (None while it runs)."""
        try:
            self.proc.wait(timeout=2.0)  # a dead peer's socket closes just before the exit is seen
        except subprocess.TimeoutExpired:
            return None
        tail = self.log().strip().splitlines()[-3:]
        return BoardError(f"{error} [mind-board (pid {self.pid}) {self.status()}"
                          + (f"; its last words: {' | '.join(tail)}" if tail else "") + "]")

    def close(self) -> None:
        self._finalizer()
