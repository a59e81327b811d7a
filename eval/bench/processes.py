"""Cold starts as a user meets them: `citeqa serve` to its first answer, and `citeqa ask` as new processes.

The child processes inherit this one's environment (the CLI has already set HF_HUB_OFFLINE and
GRADIO_ANALYTICS_ENABLED there).
"""

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from citeqa.eval.bench.result import AskStart, ServeStart

SERVE_QUESTION = "How much grant money did Xi promise?"
CITEQA = (sys.executable, "-m", "citeqa")  # the console script, run by this interpreter

# Prints the process's own VmHWM on exit (rusage from wait4 would count the parent's pages copied before exec)
# and whether the answer path imported torch.
_PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write(next(l for l in open('/proc/self/status') "
          "if l.startswith('VmHWM')) + f'torch imported: {\"torch\" in sys.modules}\\n')); "
          "from citeqa.cli import run; run()")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status_kb(pid: int, field_name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure_serve(store: Path, timeout: float = 240.0) -> ServeStart:
    """Start `citeqa serve` on a free loopback port; time process start -> first /chat answer; read VmHWM."""
    from gradio_client import Client

    port = _free_port()
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen([*CITEQA, "serve", "--store", str(store), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    cold, cited, error = None, None, None
    try:
        while time.perf_counter() - started < timeout and proc.poll() is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                result = client.predict(SERVE_QUESTION, [], 8, "extractive", False, api_name="/chat")
            except Exception:  # not up yet: any failure means try again until the deadline
                time.sleep(0.25)
                continue
            cold = round(time.perf_counter() - started, 2)
            cited = bool(result.get("citations")) if isinstance(result, dict) else None
            break
        peak = round((_status_kb(proc.pid, "VmHWM") or 0) / 1024, 1)
        if cold is None:
            log.seek(0)
            error = "no answer: " + log.read().decode(errors="replace")[-300:]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return ServeStart(port, peak, cold, cited, error)


def measure_ask_cli(store: Path, runs: int = 5) -> AskStart:
    """Cold start of `citeqa ask` (process start -> answer printed): one first run, then the median of `runs`.

    The first run may build the store's saved BM25 index or the model's ONNX export; the median is what a
    user waits for after that. Also that process's peak RSS and whether it imported torch.
    """
    seconds, last = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        last = subprocess.run([sys.executable, "-c", _PROBE, "ask", SERVE_QUESTION, "--store", str(store), "--json"],
                              capture_output=True, text=True)
        seconds.append(time.perf_counter() - started)
        if last.returncode != 0:
            return AskStart(error=last.stderr.strip()[-300:])
    hwm = [line.split()[1] for line in last.stderr.splitlines() if line.startswith("VmHWM:")]
    return AskStart(
        cold_start_s=round(float(np.median(seconds[1:])), 3),
        first_run_s=round(seconds[0], 3),
        runs_s=[round(s, 3) for s in seconds[1:]],
        imports_torch="torch imported: True" in last.stderr,
        peak_rss_mb=round(int(hwm[-1]) / 1024, 1) if hwm else None,
    )
