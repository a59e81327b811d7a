"""`citeqa ingest` on a folder of good and bad files: warnings, exit codes, --json, --list, help.

In-process through Typer's CliRunner (the model loads once for the folder run); the
exit-code checks that must see the real console entry point run it as a subprocess.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from citeqa.cli import app
from tests.model_fixtures import ARTICLES

ROOT = Path(__file__).resolve().parent.parent
CITEQA = [sys.executable, "-c", "from citeqa.cli import run; run()"]
GOOD = ("002_c6e3273c7bb3a7d5", "003_1166b264bf1f7c06")
BAD = ("empty.txt", "binary.txt", "report.docx", "huge.txt")
REPORT_KEYS = {"articles", "new", "changed", "removed", "chunks", "seconds"}
CP1252_TEXT = "Café talks in Astana\n\nThe “friendship pact” was signed — leaders said it would last for generations.\n"
runner = CliRunner(env={"HF_HUB_OFFLINE": "1", "CITEQA_STORE": None, "CITEQA_MODEL": None})


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """A folder of two good articles, one cp1252 article and four bad files, ingested once: (folder, store, result)."""
    base = tmp_path_factory.mktemp("cli")
    folder = base / "in"
    folder.mkdir()
    for stem in GOOD:
        shutil.copy(ARTICLES / f"{stem}.txt", folder)
    (folder / "cafe.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "report.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with (folder / "huge.txt").open("w") as fh:  # 50 MB of real-looking text
        line = "The leaders signed a treaty of permanent good-neighbourliness and friendship.\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    store = base / "store"
    yield folder, store, invoke("ingest", str(folder), "--store", str(store))
    (folder / "huge.txt").unlink()  # pytest keeps recent tmp dirs; don't leave 50 MB behind


def test_bad_files_are_one_warning_each_and_the_rest_is_ingested(messy) -> None:
    folder, store, result = messy
    assert result.exit_code == 0, result.output
    warnings = [line for line in lines(result.stderr) if line.startswith("warning:")]
    assert len(warnings) == len(BAD), result.stderr
    for name in BAD:
        assert sum(str(folder / name) in w for w in warnings) == 1, (name, warnings)
    assert any("over the" in w and "huge.txt" in w for w in warnings)
    assert any("unsupported file type .docx" in w for w in warnings)
    summary = lines(result.stdout)
    assert len(summary) == 1 and summary[0].startswith("3 articles (3 new, 0 changed")
    assert "chunks/s" in summary[0]


def test_json_prints_only_one_object(messy) -> None:
    folder, store, _ = messy
    result = invoke("ingest", str(folder), "--store", str(store), "--json")
    assert result.exit_code == 0
    assert len(lines(result.stdout)) == 1
    report = json.loads(result.stdout)
    assert REPORT_KEYS <= set(report)
    assert (report["articles"], report["new"], report["changed"], report["removed"], report["chunks"]) == (3, 0, 0, 0, 0)
    assert all(line.startswith("warning:") for line in lines(result.stderr))


def test_the_cp1252_article_is_decoded_not_garbled(messy) -> None:
    folder, store, _ = messy
    listing = json.loads(invoke("ingest", "--list", "--json", "--store", str(store)).stdout)
    titles = {row["article_id"]: row["title"] for row in listing["articles"]}
    assert titles["cafe"] == "Café talks in Astana"


def test_list_shows_every_stored_article(messy) -> None:
    folder, store, _ = messy
    result = invoke("ingest", "--list", "--json", "--store", str(store))
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["articles"]
    assert [row["article_id"] for row in rows] == sorted([*GOOD, "cafe"])
    for row in rows:
        assert set(row) == {"article_id", "title", "author", "date", "chunks"} and row["chunks"] > 0
    assert next(r for r in rows if r["article_id"] == GOOD[0])["author"] == "Nigel Li"
    table = invoke("ingest", "--list", "--store", str(store))
    assert table.exit_code == 0 and all(article_id in table.stdout for article_id in GOOD)


def test_a_store_built_with_another_model_is_refused(messy) -> None:
    folder, store, _ = messy
    result = invoke("ingest", str(folder), "--store", str(store), "--model", "intfloat/e5-small-v2")
    assert result.exit_code == 1
    assert lines(result.stderr) == [line for line in lines(result.stderr) if line.startswith("error:")]
    assert "built with the embedding model" in result.stderr and "--model sentence-transformers/all-MiniLM-L6-v2" in result.stderr
    changed = invoke("ingest", str(folder), "--store", str(store), "--chunk-tokens", "300")
    assert changed.exit_code == 1 and len(lines(changed.stderr)) == 1 and "new --store" in changed.stderr


def test_bad_arguments_are_one_line_errors(tmp_path) -> None:
    for args, expected in [
        (["ingest", "--list", "--store", str(tmp_path / "missing")], "No store at"),
        (["ingest", "--store", str(tmp_path / "s")], "give at least one file or folder"),
        (["ingest", str(ARTICLES), "--store", str(tmp_path / "s"), "--chunk-tokens", "8"], "max_tokens must be at least 16"),
        (["ingest", str(tmp_path / "nothing-here"), "--store", str(tmp_path / "s")], "no such file or directory"),
    ]:
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert lines(result.stderr) == [lines(result.stderr)[0]] and expected in result.stderr, (args, result.stderr)


def test_unusable_stores_are_one_line_errors(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "chroma.sqlite3").write_bytes(os.urandom(8192))
    for location in (blocker / "store", corrupt):
        result = invoke("ingest", str(ARTICLES), "--store", str(location))
        assert result.exit_code == 1 and len(lines(result.stderr)) == 1, result.output
        assert result.stderr.startswith("error:") and str(location) in result.stderr


def test_the_console_script_exits_1_with_one_line_for_a_missing_path(tmp_path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("CITEQA_STORE", None)
    done = subprocess.run(
        [*CITEQA, "ingest", str(tmp_path / "does-not-exist"), "--store", str(tmp_path / "s")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == "" and len(lines(done.stderr)) == 1 and "does-not-exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_store_comes_from_the_environment_too(tmp_path) -> None:
    result = runner.invoke(app, ["ingest", "--list"], env={"CITEQA_STORE": str(tmp_path / "env-store")})
    assert result.exit_code == 1 and str(tmp_path / "env-store") in result.stderr


def test_every_command_and_option_has_help_text() -> None:
    top = invoke("--help")
    assert top.exit_code == 0 and "Answer questions about a folder of articles" in top.stdout
    group = typer.main.get_command(app)
    assert app.registered_commands and "ingest" in group.commands
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        command = group.commands[name]
        assert (command.help or "").strip(), f"`citeqa {name}` has no help text"
        result = invoke(name, "--help")
        assert result.exit_code == 0 and command.help.strip().splitlines()[0][:40] in " ".join(result.stdout.split())
        for param in command.params:
            if isinstance(param, click.Option):
                assert (param.help or "").strip(), f"`citeqa {name} {param.opts[0]}` has no help text"
