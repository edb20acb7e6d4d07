"""A submission's folder made safe for nbgrader to write into once its kernel is gone.

After grading, nbgrader writes the graded notebook into ``autograded/<student>/<assignment>`` and
changes the permissions of everything there, following links; its failure handler removes the
folder with ``shutil.rmtree``, recursively. A submission could leave a link there (nbgrader would
write or chmod through it, outside the folder), a pipe (its write would hang), or a tree of folders
deeper than Python's recursion (every later submission would go ungraded). ``tidy`` removes them.
"""

from __future__ import annotations

import os
from pathlib import Path
import stat
import subprocess

MAX_DEPTH = 32  # folders deeper than this under a submission are removed whole
MAX_ENTRIES = 100_000  # and so is a tree with more entries than this


def _scan(top: Path) -> tuple[list[str], bool]:
    """The links and special files under the folder ``top`` (relative to it; links not followed,
    no recursion), and whether the tree is too deep, too large or unreadable to read whole."""
    odd, stack, seen = [], [("", 0)], 0
    while stack:
        relative, depth = stack.pop()
        try:
            with os.scandir(top / relative if relative else top) as entries:
                for entry in entries:
                    seen += 1
                    path = f"{relative}/{entry.name}" if relative else entry.name
                    mode = entry.stat(follow_symlinks=False).st_mode
                    if stat.S_ISDIR(mode):
                        stack.append((path, depth + 1))
                    elif not stat.S_ISREG(mode):
                        odd.append(path)
                    if depth + 1 > MAX_DEPTH or seen > MAX_ENTRIES:
                        return odd, True
        except OSError:  # a name too long, say
            return odd, True
    return odd, False


def tidy(folder: Path) -> list[str]:
    """Remove from ``folder`` every link, pipe and device, and every folder too deep, too large or
    unreadable to check (GNU ``rm -rf``, which neither recurses in Python nor follows links);
    return what was removed, relative to ``folder``, for the log."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        raise ValueError(f"folder: {folder} is not a folder")
    removed = []
    for entry in os.scandir(folder):
        mode = entry.stat(follow_symlinks=False).st_mode
        if not stat.S_ISDIR(mode):
            if not stat.S_ISREG(mode):
                os.unlink(entry.path)
                removed.append(entry.name)
            continue
        odd, whole = _scan(Path(entry.path))
        if whole:
            subprocess.run(["rm", "-rf", "--one-file-system", "--", entry.name], cwd=folder, check=True)
            removed.append(f"{entry.name}/ (too deep, too large or unreadable: removed whole)")
            continue
        for path in odd:
            os.unlink(Path(entry.path) / path)
            removed.append(f"{entry.name}/{path}")
    return removed
