"""Build `app/models/verb_forms.txt`: English word forms that are only ever verbs ("gave", "won", "held").

`app.required` reads the list to tell a question's focus noun from the verb after it ("Which leader
*gave* a speech?": the focus is the leader, not "gave"). The forms come from lemminflect's lemma
table (derived from the NIH SPECIALIST Lexicon): a lowercase word all of whose entries are verb or
auxiliary forms. Loading lemminflect costs about 0.3 s of CPU, so answering reads this list instead.
"""

import csv
import gzip
from collections import defaultdict
from importlib import metadata, resources
from pathlib import Path

DEFAULT_VERB_FORMS = Path(__file__).parent.parent / "models" / "verb_forms.txt"
_VERB_TAGS = frozenset({"verb", "aux"})


def verb_only_forms() -> list[str]:
    """Sorted lowercase alphabetic words whose every entry in lemminflect's lemma table is a verb form."""
    table = resources.files("lemminflect") / "resources" / "lemma_lu.csv.gz"
    tags: defaultdict[str, set[str]] = defaultdict(set)
    with gzip.open(table.open("rb"), "rt", encoding="utf-8") as rows:
        for word, tag, *_ in csv.reader(rows):
            tags[word].add(tag.lower())
    return sorted(w for w, t in tags.items() if t <= _VERB_TAGS and w.isalpha() and w.islower())


def write_verb_forms(path: Path = DEFAULT_VERB_FORMS) -> int:
    """Write the list with a header naming its source and how to rebuild it; the number of words written."""
    words = verb_only_forms()
    header = (
        f"# Word forms that are only verbs, from lemminflect {metadata.version('lemminflect')}'s lemma table "
        "(NIH SPECIALIST Lexicon).\n# Rebuild: citeqa train verb-forms\n"
    )
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return len(words)
