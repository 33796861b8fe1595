"""files layer: how every command puts a file on disk (a temporary file in the same folder, renamed when complete)."""

from xianping.files.atomic import FileSet, replace_when_done, sha256_file, write_bytes, write_text

__all__ = ["FileSet", "replace_when_done", "sha256_file", "write_bytes", "write_text"]
