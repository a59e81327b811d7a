"""What reaches the terminal: titles shown as written (no Rich markup), no escape sequences or control characters.

A real article carrying markup-like brackets and terminal escapes in its title and in the
sentence that answers the question, ingested and asked through the real console script.
"""

import json
import subprocess

import pytest

from citeqa.terminal import printable
from tests.conftest import CITEQA, ROOT, _env

TITLE = "Bridge [/b] news [video] \x1b]0;pwned\x07\x1b[2Jreport"
SHOWN = "Bridge [/b] news [video] report"
BODY = (
    "The Quillon river bridge opened in 1911 and carried the first tram across the valley.\x1b]0;pwned\x07 "
    "Engineers said the \x1b[31mred span was painted to match the hills. "
    + "The valley had many farms and orchards along its slopes, and traders came each autumn to buy apples. " * 8
)
CONTROL = tuple(chr(c) for c in range(32) if chr(c) not in "\n\t") + ("\x7f", "\x9b")


def cli(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*CITEQA, *args], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    base = tmp_path_factory.mktemp("terminal")
    (base / "in").mkdir()
    (base / "in" / "bridge.txt").write_text(f"{TITLE}\n\n{BODY}", encoding="utf-8")
    done = cli("ingest", str(base / "in"), "--store", str(base / "store"))
    assert done.returncode == 0, done.stderr
    return base / "store"


def test_list_shows_titles_as_written_without_escapes(store) -> None:
    result = cli("ingest", "--list", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert SHOWN in result.stdout  # "[/b]" did not crash Rich, "[video]" did not vanish
    assert not any(ch in result.stdout for ch in CONTROL)
    assert json.loads(cli("ingest", "--list", "--json", "--store", str(store)).stdout)["articles"][0]["title"] == TITLE


def test_ask_prints_no_escape_sequences_but_json_keeps_the_text(store) -> None:
    result = cli("ask", "When did the Quillon river bridge open?", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "1911" in result.stdout and SHOWN in result.stdout
    assert not any(ch in result.stdout + result.stderr for ch in CONTROL)
    assert "pwned" not in result.stdout  # the window-title sequence went whole, not just its ESC
    raw = cli("ask", "When did the Quillon river bridge open?", "--store", str(store), "--json").stdout
    assert "\\u001b" in raw and json.loads(raw)["citations"][0]["title"] == TITLE  # escaped by JSON, not altered


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain café 中文 😀 [b]x[/b]", "plain café 中文 😀 [b]x[/b]"),
        ("a\x1b[31mred\x1b[0m b", "ared b"),
        ("title\x1b]0;pwned\x07 next\x1b]8;;http://x\x1b\\link", "title nextlink"),
        ("c1\x9b2Jcsi \x9d0;osc\x9c end", "c1csi  end"),
        ("bell\x07 nul\x00 cr\r del\x7f", "bell nul cr del"),
        ("rtl \u202eevil\u202c ok", "rtl evil ok"),
        ("keep\nlines\tand tabs", "keep\nlines\tand tabs"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
