"""Text from articles made safe to print on a terminal.

An article (or its title) may hold escape sequences or control characters that a
terminal would obey: retitle the window, move the cursor, hide lines, ring the bell,
or reorder text with bidirectional overrides. `printable` removes them; `--json`
output needs none of this (JSON escapes control characters itself).
"""

import re
import unicodedata

# ECMA-48 sequences, 7-bit (ESC …) and 8-bit (C1) forms: CSI … final byte; OSC/DCS/SOS/PM/APC … terminator; ESC + one byte.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def printable(text: str) -> str:
    """`text` without terminal escape sequences, control characters (newline and tab kept) or bidi controls.

    Example: "Title\\x1b]0;pwned\\x07 \\x1b[31mred\\x1b[0m" -> "Title red".
    """
    text = _SEQUENCES.sub("", text)
    return "".join(
        ch for ch in text
        if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )
