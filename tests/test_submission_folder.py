"""cnn_instructor.submission_folder.tidy on folders a submission could leave: links (nbgrader would
write or chmod through them), pipes (a write would hang), trees deeper than Python's recursion or
with names longer than a path may be (nbgrader's walk and rmtree would stop every later grading)."""

from __future__ import annotations

import os
from pathlib import Path

from cnn_instructor.submission_folder import MAX_DEPTH, tidy
import pytest


def test_links_pipes_and_devices_go_and_plain_files_stay(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("the instructor's")
    folder = tmp_path / "submission"
    (folder / "work" / "deeper").mkdir(parents=True)
    (folder / "cnn_mnist.ipynb").write_text("{}")
    (folder / "work" / "deeper" / "answer.txt").write_text("mine")
    (folder / "link.ipynb").symlink_to(outside)
    (folder / "work" / "deeper" / "link").symlink_to(tmp_path)
    os.mkfifo(folder / "work" / "pipe")
    removed = tidy(folder)
    assert sorted(removed) == ["link.ipynb", "work/deeper/link", "work/pipe"]
    assert (folder / "cnn_mnist.ipynb").read_text() == "{}" and (folder / "work/deeper/answer.txt").exists()
    assert outside.read_text() == "the instructor's" and tmp_path.exists()  # links removed, not followed


def test_a_tree_too_deep_is_removed_whole_without_recursion(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    top = os.open(folder, os.O_RDONLY)
    here = os.open(".", os.O_RDONLY)
    try:
        os.fchdir(top)
        for _ in range(1200):  # deeper than Python's recursion limit
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.fchdir(here)
        os.close(top)
        os.close(here)
    (folder / "shallow").mkdir()
    (folder / "shallow" / ("n" * 200)).mkdir()
    assert tidy(folder) == ["d/ (too deep, too large or unreadable: removed whole)"]
    assert sorted(p.name for p in folder.iterdir()) == ["shallow"]


def test_a_tree_at_the_depth_limit_stays(tmp_path):
    deep = tmp_path / "submission" / Path(*["d"] * MAX_DEPTH)
    deep.mkdir(parents=True)
    assert tidy(tmp_path / "submission") == [] and deep.exists()


def test_a_folder_that_is_a_link_is_refused(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="is not a folder"):
        tidy(tmp_path / "link")
