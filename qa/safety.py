"""What keeps an index whole when several processes use it, or the disk fails them.

* One writer at a time: ``writer_lock`` is an inter-process file lock (``write.lock`` in the
  index folder, the ``filelock`` library's ``flock``). A second ``ingest`` (or the app's
  upload, or the feed watcher) waits for the first to finish, with a note on stderr, instead
  of interleaving its batches and near-duplicate groups with another's. Readers never take
  it: SQLite's WAL gives them a snapshot (``Store.snapshot``).
* Disk full, a file-size limit or an I/O error while writing becomes ``IndexWriteError``
  (``write_error``), one line that says what happened and that the index keeps its last
  committed state, instead of a traceback from deep inside SQLite or FAISS.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from qa.errors import IndexWriteError

LOCK_NAME = "write.lock"
log = logging.getLogger("qa")

# errno values that mean "no room to write", and SQLite's names for a failed write.
_NO_ROOM = {errno.ENOSPC: "the disk is full", errno.EFBIG: "a file reached the size limit"}
if hasattr(errno, "EDQUOT"):
    _NO_ROOM[errno.EDQUOT] = "the disk quota is used up"
_SQLITE_WRITE_FAILURES = {
    "SQLITE_FULL": "the disk is full",
    "SQLITE_IOERR_WRITE": "a write failed (disk full, file-size limit or a failing disk)",
    "SQLITE_IOERR_FSYNC": "a write could not be flushed to disk",
    "SQLITE_IOERR_TRUNCATE": "a file could not be resized",
    "SQLITE_IOERR_SHMSIZE": "the shared-memory file could not grow (disk full?)",
    "SQLITE_READONLY": "the index files are read-only",
}


@contextmanager
def writer_lock(folder: Path) -> Iterator[None]:
    """Hold the index's writer lock; wait (saying so) while another process holds it."""
    lock = FileLock(folder / LOCK_NAME, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning(
            "another process is writing to %s/ (it holds %s); waiting for it to finish",
            folder, folder / LOCK_NAME,
        )  # fmt: skip
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def write_problem(error: BaseException) -> str | None:
    """Why a write failed, in words, when ``error`` is a failed write; None otherwise."""
    if isinstance(error, sqlite3.OperationalError):
        return _SQLITE_WRITE_FAILURES.get(getattr(error, "sqlite_errorname", "") or "")
    if isinstance(error, OSError):
        return _NO_ROOM.get(error.errno or 0)
    if isinstance(error, RuntimeError) and "write" in str(error).lower():  # FAISS I/O
        return "a write failed (disk full, file-size limit or a failing disk)"
    return None


def write_error(folder: Path, error: BaseException) -> IndexWriteError | None:
    """``IndexWriteError`` for a failed write into ``folder``, else None."""
    problem = write_problem(error)
    if problem is None:
        return None
    return IndexWriteError(
        f"could not write to the index at {folder}/: {problem}. Nothing is half-written: "
        "the index keeps every batch committed before the failure and answers questions as "
        "before. Free some disk space, then run the same command again to add the rest."
    )


def replace_folder(staging: Path, folder: Path) -> None:
    """Put the finished ``staging`` folder in ``folder``'s place (the BM25 cache, a sharded
    dense index): readers see the old folder or the new one, never a half-written one. The
    old one is moved aside as ``<name>.<pid>.old`` first; a process killed in between leaves
    that name, which ``qa.caches`` removes once the process is gone."""
    if folder.exists():
        old = folder.with_name(f"{folder.name}.{os.getpid()}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, folder)
