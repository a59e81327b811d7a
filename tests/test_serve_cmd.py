"""`citeqa serve` refuses what it cannot serve in one line that names the real cause."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import CITEQA, ROOT, _env


def serve(*args: str, env: dict | None = None, wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    command = [*(wrap or []), *CITEQA, "serve", "--port", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, env={**_env(), **(env or {})}, cwd=ROOT, timeout=180)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    return lines[0]


def test_a_corrupt_store_is_named_as_such(ui_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(ui_store, store)
    with (store / "chroma.sqlite3").open("r+b") as db:
        db.write(b"x" * 4096)  # the SQLite header and first page
    line = one_line_error(serve("--store", str(store)))
    assert "file is not a database" in line and "RustBindingsAPI" not in line and str(store) in line


def test_a_read_only_store_is_named_as_such(ui_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(ui_store, store)
    if os.geteuid() != 0:
        for path in (store, *store.rglob("*")):
            path.chmod(path.stat().st_mode & 0o555)
        wrap = None
    else:  # root writes through permissions: a read-only bind mount in a private mount namespace instead
        if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
            pytest.skip("running as root without `unshare -m`: no way to make the store read-only")
        script = f'mount --bind "{store}" "{store}" && mount -o remount,bind,ro "{store}" && exec "$@"'
        wrap = ["unshare", "-m", "sh", "-c", script, "sh"]
    line = one_line_error(serve("--store", str(store), wrap=wrap))
    assert "readonly database" in line and "RustBindingsAPI" not in line


@pytest.mark.parametrize(
    "args, env, says",
    [
        (["--auth-file", "/nonexistent/auth.txt"], {}, "cannot read --auth-file /nonexistent/auth.txt: No such file"),
        (["--auth-file", "EMPTY"], {}, "holds no user:password line"),
        (["--auth-file", "BAD"], {}, "line 1: must be user:password"),
        (["--auth-file", "BAD"], {"CITEQA_AUTH": "a:b"}, "either --auth (CITEQA_AUTH) or --auth-file, not both"),
        ([], {"CITEQA_AUTH": "nopassword"}, "--auth, line 1: must be user:password"),
    ],
)
def test_bad_credentials_are_one_line(tmp_path, args, env, says):
    (tmp_path / "EMPTY").write_text("\n")
    (tmp_path / "BAD").write_text("alice hunter2\n")
    args = [str(tmp_path / a) if a in ("EMPTY", "BAD") else a for a in args]
    line = one_line_error(serve("--store", str(tmp_path / "store"), *args, env=env))
    assert says in line and "hunter2" not in line
