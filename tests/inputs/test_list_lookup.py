"""Finding lists by name or path, from a checkout or an installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

import probe.inputs.lookup as lookup
from probe.inputs import ListError, available_lists, find_list, lists_dir

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    lists = tmp_path / "lists"
    lists.mkdir()
    for name in ("kz.csv", "plain.txt", "README.md", "notes.json"):
        (lists / name).write_text("https://example.com/\n")
    (lists / "sub.csv").mkdir()
    return lists


def test_explicit_folder_wins(tmp_path: Path) -> None:
    assert lists_dir(tmp_path) == tmp_path


def test_source_tree_targets_by_default() -> None:
    assert lists_dir() == REPO / "targets"
    assert (lists_dir() / "kz.csv").is_file()


def test_installed_copy_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "site" / "probe" / "inputs" / "lookup.py"
    monkeypatch.setattr(lookup, "__file__", str(module))
    assert lists_dir() == tmp_path / "site" / "targets"
    (tmp_path / "site" / "probe" / "targets").mkdir(parents=True)
    assert lists_dir() == tmp_path / "site" / "probe" / "targets"


def test_available_lists_are_list_files_only(folder: Path) -> None:
    assert available_lists(folder) == [folder / "kz.csv", folder / "plain.txt"]


def test_available_lists_of_a_missing_folder(tmp_path: Path) -> None:
    assert available_lists(tmp_path / "nowhere") == []


def test_default_available_lists_include_the_shipped_ones() -> None:
    names = [p.name for p in available_lists()]
    assert "kz.csv" in names
    assert "control.csv" in names


@pytest.mark.parametrize(
    ("name", "found"), [("kz", "kz.csv"), ("plain", "plain.txt"), ("kz.csv", "kz.csv")]
)
def test_names_resolve_in_the_folder(
    folder: Path, name: str, found: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_list(name, folder) == folder / found


def test_a_file_name_in_the_working_directory_comes_first(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "kz.csv").write_text("https://example.org/\n")
    monkeypatch.chdir(work)
    assert find_list("kz.csv", folder) == Path("kz.csv")
    assert find_list("kz", folder) == folder / "kz.csv"


def test_paths_are_used_as_given(folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "mine.list"
    other.parent.mkdir()
    other.write_text("https://example.com/\n")
    assert find_list(str(other), folder) == other


def test_unknown_name_lists_what_exists(folder: Path) -> None:
    with pytest.raises(ListError) as caught:
        find_list("ru", folder)
    assert str(caught.value) == f"ru: no list of that name in {folder} (available: kz, plain)"


@pytest.mark.parametrize("name", ["missing.csv", "sub.csv", "./kz", ""])
def test_missing_files(
    folder: Path, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ListError) as caught:
        find_list(name, folder)
    assert str(caught.value) == f"{name}: no such list file"
