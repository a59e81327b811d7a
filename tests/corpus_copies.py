"""A test corpus bigger than the default one: its articles plus copies under new ids."""

import shutil
from pathlib import Path


def copy_corpus(articles: Path, folder: Path, copies: int) -> None:
    """Copy `articles` into `folder` and add `copies` copies under new ids ("9NN_copy_…"), each with a changed first line."""
    shutil.copytree(articles, folder)
    originals = sorted(articles.glob("*.txt"))
    for n in range(copies):
        source = originals[n % len(originals)]
        title, rest = source.read_text(encoding="utf-8").split("\n", 1)
        (folder / f"9{n:02d}_copy_{source.stem[:3]}.txt").write_text(f"Copy {n}: {title}\n{rest}", encoding="utf-8")
