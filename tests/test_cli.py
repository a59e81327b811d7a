"""The command line's edge: user errors as one line (exit 1), bugs as "internal error" (exit 70), env at the edge.

Every command runs as a real subprocess of this interpreter, the way the console script does.
"""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import CITEQA, ROOT, _env

# A command registered only in this process: the edge's handling of an unexpected bug, on a real `citeqa` run.
BUGGY = [sys.executable, "-c", (
    "from citeqa.cli import app, run\n"
    "@app.command('boom')\n"
    "def boom() -> None:\n"
    "    {}['missing']\n"
    "run()"
)]


def _run(command: list[str], *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT, env={**_env(), **(env or {})}, timeout=300)


def test_a_user_error_is_one_line_and_exit_1(tmp_path: Path) -> None:
    missing = _run(CITEQA, "ask", "Who pledged the grant?", "--store", str(tmp_path / "none"))
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [f"error: No store at {tmp_path / 'none'}. Run: citeqa ingest data/articles --store {tmp_path / 'none'}"]
    # A setting out of range is the user's to fix too (it used to pass only because every ValueError was caught).
    small = _run(CITEQA, "ingest", str(ROOT / "data" / "articles"), "--store", str(tmp_path / "s"), "--chunk-tokens", "5")
    assert small.returncode == 1
    assert small.stderr.splitlines() == ["error: max_tokens must be at least 16. Currently, max_tokens is 5"]


def test_a_bug_is_an_internal_error_with_exit_70_and_its_traceback_under_verbose() -> None:
    quiet = _run(BUGGY, "boom")
    assert quiet.returncode == 70
    assert quiet.stderr.splitlines() == ["internal error, please report: KeyError: 'missing'"]
    loud = _run(BUGGY, "--verbose", "boom")
    assert loud.returncode == 70
    assert loud.stderr.startswith("Traceback (most recent call last):")
    assert 'File "<string>", line 4, in boom' in loud.stderr  # where the bug is
    assert loud.stderr.splitlines()[-1] == "internal error, please report: KeyError: 'missing'"


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    # `citeqa eval --help | head -40`: the help is written in pieces, and the reader leaves after the first ones.
    # Whether a later piece meets the closed pipe is a race, so it is run a few times (it used to say "internal
    # error" in most of them).
    for _ in range(5):
        reader = subprocess.Popen([*CITEQA, "eval", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env())
        for _ in range(40):
            reader.stdout.readline()
        reader.stdout.close()
        stderr = reader.communicate(timeout=120)[1].decode()
        assert reader.returncode in (0, 1, 141), stderr  # done before the reader left, or ended by the closed pipe
        assert stderr == ""


def test_a_run_folder_the_code_does_not_anticipate_is_reported_as_internal(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.jsonl").write_text("", encoding="utf-8")
        (tmp_path / name / "metrics.json").write_text(json.dumps({"note": "no k"}), encoding="utf-8")
    result = _run(CITEQA, "eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 70
    assert result.stderr.splitlines() == ["internal error, please report: KeyError: 'k'"]


def test_the_embedding_backend_variable_reaches_the_library(default_store: Path) -> None:
    question = ("ask", "How much grant money did Xi promise?", "--store", str(default_store), "--json")
    torch = _run(CITEQA, "--verbose", *question, env={"CITEQA_EMBEDDING_BACKEND": "torch"})
    assert torch.returncode == 0, torch.stderr
    assert "loading embedding model" in torch.stderr  # the sentence-transformers runner says so under -v
    onnx = _run(CITEQA, "--verbose", *question)
    assert onnx.returncode == 0, onnx.stderr
    assert "loading embedding model" not in onnx.stderr
    assert json.loads(torch.stdout)["citations"] and json.loads(onnx.stdout)["citations"]
    wrong = _run(CITEQA, *question, env={"CITEQA_EMBEDDING_BACKEND": "tensorrt"})
    assert wrong.returncode == 2  # a usage error, before anything loads
    assert "CITEQA_EMBEDDING_BACKEND" in wrong.stderr and "'tensorrt' is not one of" in wrong.stderr


def test_the_cli_imports_no_heavy_library_until_a_command_needs_it() -> None:
    probe = _run([sys.executable, "-c", (
        "import sys, citeqa.cli\n"
        "print(sorted({'numpy', 'chromadb', 'torch', 'gradio', 'onnxruntime'} & set(sys.modules)))"
    )])
    assert probe.stdout.strip() == "[]", probe.stderr
    assert _run(CITEQA, "ask", "--help").returncode == 0
