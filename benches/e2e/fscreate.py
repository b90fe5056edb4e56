"""Time to create files in a fresh directory under DIR (see benches/e2e/run.sh --storage).

    python3 benches/e2e/fscreate.py DIR [N]

Creates N files of 30 KB three ways -- open(O_CREAT|O_EXCL); O_TMPFILE then linkat(); create,
link to the final name, unlink the temporary one (what the import does) -- prints microseconds
per file for each, and removes the directory. On an ext4 without a journal, a second run right
after the first (whose files were just deleted) shows what ext4's recently_deleted() costs.
"""
import ctypes
import os
import shutil
import sys
import tempfile
import time

AT_FDCWD = -100
AT_EMPTY_PATH = 0x1000
CONTENT = b"x" * 30000
libc = ctypes.CDLL(None, use_errno=True)


def create(d, i):
    fd = os.open(f"{d}/f{i}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.write(fd, CONTENT)
    os.close(fd)


def tmpfile_link(d, i):
    fd = os.open(d, os.O_TMPFILE | os.O_WRONLY, 0o644)
    os.write(fd, CONTENT)
    if libc.linkat(fd, b"", AT_FDCWD, f"{d}/g{i}".encode(), AT_EMPTY_PATH) != 0:
        raise OSError(ctypes.get_errno(), "linkat")
    os.close(fd)


def create_link_unlink(d, i):
    fd = os.open(f"{d}/t{i}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.write(fd, CONTENT)
    os.close(fd)
    os.link(f"{d}/t{i}", f"{d}/h{i}")
    os.unlink(f"{d}/t{i}")


def main():
    base = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    d = tempfile.mkdtemp(dir=base)
    try:
        cells = []
        for way in (create, tmpfile_link, create_link_unlink):
            started = time.perf_counter()
            for i in range(n):
                way(d, i)
            cells.append(f"{way.__name__} {(time.perf_counter() - started) / n * 1e6:.0f} us/file")
        print(f"{base}: " + ", ".join(cells))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
