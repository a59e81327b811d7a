"""Incremental ingest of a real folder into real Chroma: first run, no-op re-run, change, delete.

The embedder is the real model wrapped in `CountingEmbedder`, so "embedded nothing"
is asserted by counting calls, not by timing. After every run the store must hold
exactly the chunks an independent chunking of the folder gives (no stale, duplicate
or orphan chunk) and the BM25 index must list exactly Chroma's chunk ids.
"""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import citeqa.ingest.pipeline as pipeline
from citeqa.ingest.chunk import chunk_document
from citeqa.ingest.load import load_document
from citeqa.ingest.pipeline import IngestError, IngestReport, discover, ingest, ingest_documents, versioned_hash
from citeqa.store.chroma import open_store
from citeqa.store.records import ChunkSettings

from tests.model_fixtures import ARTICLES, CountingEmbedder, assert_store_complete, reopen, stored_chunks


def run(paths, location, embedder, **kwargs) -> tuple[IngestReport, list]:
    """One ingest to the end; (final report, every progress event)."""
    events = list(ingest([Path(p) for p in paths], open_store(location, create=True), embedder, **kwargs))
    assert events and events[-1].message == "done" and events[-1].done == events[-1].total
    assert [e.done for e in events] == sorted(e.done for e in events)
    return events[-1].report, events


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(ARTICLES, target)
    return target


@pytest.fixture
def small_folder(tmp_path) -> Path:
    """Two of the shorter corpus articles, for tests that embed everything more than once."""
    target = tmp_path / "small"
    target.mkdir()
    for stem in ("003_1166b264bf1f7c06", "004_43fe3f8e97f79a18"):
        shutil.copy(ARTICLES / f"{stem}.txt", target)
    return target


def test_first_run_rerun_change_delete_and_keep(folder, tmp_path, embedder) -> None:
    """One store through a folder's life (one full embedding of the corpus, then small steps)."""
    location = tmp_path / "store"

    # 1. First run: every article is new.
    counting = CountingEmbedder(embedder)
    report, events = run([folder], location, counting)
    assert (report.articles, report.new, report.changed, report.removed) == (5, 5, 0, 0)
    assert report.chunks > 0 and report.chunks == counting.passages and report.skipped == []
    assert events[-1].total == 5 and {e.message for e in events[1:-1]} == {p.stem for p in folder.iterdir()}
    expected = assert_store_complete(location, folder, embedder)
    assert report.chunks == sum(len(ids) for ids in expected.values())
    assert report.tokens == sum(r.tokens for r in reopen(location).articles())

    # 2. Nothing changed: nothing is embedded.
    counting = CountingEmbedder(embedder)
    report, _ = run([folder], location, counting)
    assert (report.articles, report.new, report.changed, report.unchanged, report.removed, report.chunks) == (5, 0, 0, 5, 0, 0)
    assert counting.passage_calls == 0 and counting.query_calls == 0
    assert_store_complete(location, folder, embedder)

    # 3. One article edited: exactly its chunks are replaced.
    before = stored_chunks(reopen(location))
    path = sorted(folder.glob("*.txt"))[3]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # A new first body paragraph shifts every offset, so every chunk id of the article changes.
    path.write_text(lines[0] + "\nAn editor added this opening sentence.\n\n" + "".join(lines[1:]), encoding="utf-8")
    counting = CountingEmbedder(embedder)
    report, _ = run([folder], location, counting)
    assert (report.new, report.changed, report.unchanged, report.removed) == (0, 1, 4, 0)
    expected = assert_store_complete(location, folder, embedder)
    assert counting.passages == report.chunks == len(expected[path.stem])
    after = stored_chunks(reopen(location))
    assert not {i for i, a in before.items() if a == path.stem} & set(after)  # no chunk of the old version left
    assert {i for i, a in after.items() if a != path.stem} == {i for i, a in before.items() if a != path.stem}
    assert "An editor added this opening sentence." in reopen(location).article_text(path.stem)

    # 4. A file deleted: its record and chunks go (prune is the default).
    first, second = sorted(folder.glob("*.txt"))[:2]
    first.unlink()
    report, _ = run([folder], location, embedder)
    assert (report.articles, report.removed, report.chunks) == (4, 1, 0)
    assert_store_complete(location, folder, embedder)
    store = reopen(location)
    assert store.article_text(first.stem) is None and first.stem not in set(stored_chunks(store).values())

    # 5. --no-prune keeps a deleted file's article.
    second.unlink()
    report, _ = run([folder], location, embedder, prune=False)
    assert (report.articles, report.removed) == (4, 0)
    store = reopen(location)
    assert second.stem in store.manifest() and second.stem in set(stored_chunks(store).values())

    # 6. Ingesting one file from elsewhere never prunes the articles of other folders.
    extra = tmp_path / "elsewhere" / "999_extra.txt"
    extra.parent.mkdir()
    extra.write_text("An extra article\n\nIt has one short paragraph about the summit.\n", encoding="utf-8")
    report, _ = run([extra], location, embedder)
    assert (report.articles, report.new, report.removed) == (5, 1, 0)


def test_a_new_pipeline_version_reingests_everything(small_folder, tmp_path, embedder, monkeypatch) -> None:
    location, folder = tmp_path / "store", small_folder
    run([folder], location, embedder)
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + 1)
    counting = CountingEmbedder(embedder)
    report, _ = run([folder], location, counting)
    assert (report.new, report.changed, report.unchanged) == (0, 2, 0) and counting.passage_calls > 0
    assert_store_complete(location, folder, embedder)  # hashes carry the new version tag


def test_in_memory_documents_are_idempotent_too(tmp_path, embedder) -> None:
    location = tmp_path / "store"
    docs = [load_document(p) for p in sorted(ARTICLES.glob("*.txt"))[2:]]

    def apply(documents, **kwargs):
        counting = CountingEmbedder(embedder)
        events = list(ingest_documents(documents, open_store(location, create=True), counting, **kwargs))
        return events[-1].report, counting

    report, counting = apply(docs)
    assert (report.articles, report.new, report.chunks) == (3, 3, counting.passages) and report.chunks > 0
    report, counting = apply(docs)
    assert (report.new, report.changed, report.unchanged, report.chunks, counting.passage_calls) == (0, 0, 3, 0, 0)

    edited = replace(docs[1], text=docs[1].text + "\n\nA closing line was added.", content_hash="edited")
    report, counting = apply([docs[0], edited, docs[2]])
    expected = {c.chunk_id for d in (docs[0], edited, docs[2]) for c in chunk_document(d, ChunkSettings(), embedder.fits)}
    assert (report.changed, report.unchanged) == (1, 2)
    assert set(stored_chunks(reopen(location))) == expected

    report, _ = apply(docs[:1])  # prune: documents not given are removed
    assert (report.articles, report.removed) == (1, 2)
    report, _ = apply([], prune=False)
    assert report.articles == 1


def test_discover_skips_unsupported_hidden_and_sidecar_files(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nBody.")
    (tmp_path / "a.meta.json").write_text("{}")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("# C\n\nBody.")
    files, skipped, folders = discover([tmp_path, tmp_path / "missing.txt"])
    assert files == [tmp_path / "a.txt", tmp_path / "sub" / "c.md"]
    assert folders == [tmp_path.resolve()]
    assert len(skipped) == 2 and "b.docx: unsupported file type .docx" in skipped[0] and "no such file" in skipped[1]


def test_duplicate_article_ids_are_skipped_with_a_reason(tmp_path, embedder) -> None:
    for sub in ("x", "y"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "same.txt").write_text(f"Title {sub}\n\nBody of {sub}.\n")
    report, _ = run([tmp_path / "in"], tmp_path / "store", embedder)
    assert report.new == 1 and len(report.skipped) == 1 and "already has the article id same" in report.skipped[0]


def test_nothing_to_ingest_is_an_ingest_error(tmp_path, embedder) -> None:
    with pytest.raises(IngestError, match="Nothing to ingest: .*no such file"):
        run([tmp_path / "missing"], tmp_path / "store", embedder)


def test_manifest_hashes_are_versioned_file_hashes(folder, tmp_path, embedder) -> None:
    location = tmp_path / "store"
    run([folder / "003_1166b264bf1f7c06.txt"], location, embedder)
    record = reopen(location).manifest()["003_1166b264bf1f7c06"]
    assert record.content_hash == versioned_hash(folder / "003_1166b264bf1f7c06.txt")
    assert record.content_hash.startswith(f"v{pipeline.PIPELINE_VERSION}:")


def test_symlinked_articles_use_the_links_name_and_go_with_the_link(tmp_path, embedder) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ARTICLES / "003_1166b264bf1f7c06.txt", elsewhere / "target.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ARTICLES / "004_43fe3f8e97f79a18.txt", folder)
    (folder / "linked.txt").symlink_to(elsewhere / "target.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    location = tmp_path / "store"
    report, _ = run([folder], location, embedder)
    manifest = reopen(location).manifest()
    assert set(manifest) == {"004_43fe3f8e97f79a18", "linked"}  # the link's own name, not its target's
    assert manifest["linked"].path == str(folder / "linked.txt")
    assert len(report.skipped) == 3, report.skipped
    assert any(str(folder / "dangling.txt") in r and "missing.txt, which does not exist" in r for r in report.skipped)
    for name in ("loop-a.txt", "loop-b.txt"):
        assert any(str(folder / name) in r and "symbolic link loop" in r for r in report.skipped), report.skipped

    (folder / "linked.txt").unlink()
    report, _ = run([folder], location, embedder)
    assert report.removed == 1 and set(reopen(location).manifest()) == {"004_43fe3f8e97f79a18"}
