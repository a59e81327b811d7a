"""The word lists answering ships (`app/models/*.txt`, built by `citeqa train lexicon` from lemminflect's lexicon)."""

from functools import cache
from pathlib import Path

MODELS = Path(__file__).parent / "models"
VERB_FORMS = MODELS / "verb_forms.txt"  # lowercase forms that are only ever verbs: "gave", "won", "held"
PROPER_NAMES = MODELS / "proper_names.txt"  # words only ever spelled with a capital: "Mongolia", "June"
MODIFIERS = MODELS / "modifiers.txt"  # lowercase words that are only adjectives or adverbs: "approximately", "nearly"
COMMON_WORDS = MODELS / "common_words.txt"  # words only ever spelled in lowercase: "national", "corporation", "fort"
EITHER_CASE = MODELS / "either_case.txt"  # lowercase words also spelled with a capital: "china", "may"


def read_words(path: Path) -> frozenset[str]:
    """The words of a list (one a line; its "#" header lines left out)."""
    return frozenset(line for line in path.read_text(encoding="utf-8").split("\n") if line and not line.startswith("#"))


@cache
def common_words() -> frozenset[str]:
    """Words only ever spelled in lowercase (~60,000), read on first use (15-30 ms)."""
    return read_words(COMMON_WORDS)


@cache
def proper_names() -> frozenset[str]:
    """Words only ever spelled with a capital (~5,500), as spelled: "Mongolia", "June"."""
    return read_words(PROPER_NAMES)


@cache
def either_case_words() -> frozenset[str]:
    """Lowercase words the lexicon also spells with a capital (609): "china", "east", "may"."""
    return read_words(EITHER_CASE)


@cache
def verb_forms() -> frozenset[str]:
    """Lowercase forms that are only ever verbs (~18,000): "gave", "won", "held"."""
    return read_words(VERB_FORMS)


@cache
def modifier_words() -> frozenset[str]:
    """Lowercase words that are only adjectives or adverbs (~8,400): "approximately", "nearly"."""
    return read_words(MODIFIERS)


@cache
def known_words() -> frozenset[str]:
    """Every lowercase word the lexicon knows, in any case (~66,000): "signed", "china", "mongolia"; not "sigend"."""
    return common_words() | either_case_words() | {name.lower() for name in proper_names()}
