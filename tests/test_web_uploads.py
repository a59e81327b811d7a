"""app/web/uploads.py: upload names made safe; other types, oversized and empty files refused."""

import pytest

from citeqa.app.web.uploads import UploadError, safe_name, save_upload


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/Report 2031.PDF", "Report_2031.pdf"),
        ("..\\..\\win.md", "win.md"),
        ("<script>.html", "script.html"),
        ("....txt", "upload.txt"),
        ("ünïcode—name.txt", "ünïcode_name.txt"),
        ("a\x00b.txt", "a_b.txt"),
    ],
)
def test_upload_names_are_sanitized(name, safe):
    assert safe_name(name) == safe


def test_uploads_refuse_other_types_oversized_and_empty_files(tmp_path):
    with pytest.raises(UploadError, match="only .* files can be added"):
        safe_name("tool.exe")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(UploadError, match="files up to"):
        save_upload(big, tmp_path / "uploads", max_bytes=1024)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(UploadError, match="empty"):
        save_upload(tmp_path / "empty.txt", tmp_path / "uploads")
    saved = save_upload(big, tmp_path / "uploads", max_bytes=4096)
    assert saved == (tmp_path / "uploads" / "big.txt").resolve() and saved.read_bytes() == big.read_bytes()
