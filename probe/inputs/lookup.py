"""Finding lists by name, so ``probe run --list kz`` works from a checkout and from a wheel."""

from __future__ import annotations

from pathlib import Path

from probe.inputs.errors import ListError

LIST_SUFFIXES = (".csv", ".txt")


def lists_dir(explicit: Path | None = None) -> Path:
    """The folder of named lists: ``explicit`` (--lists-dir / PROBE_LISTS_DIR), else the copy
    installed in the package, else the source tree's ``targets/``."""
    return explicit or _default_dir()


def available_lists(lists_dir: Path | None = None) -> list[Path]:
    """List files in the folder, sorted; empty when the folder does not exist."""
    folder = lists_dir or _default_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in LIST_SUFFIXES and p.is_file())


def find_list(name_or_path: str, lists_dir: Path | None = None) -> Path:
    """Resolve ``kz`` to ``kz.csv`` (or ``.txt``) in the lists folder; anything else is a path,
    tried as given and then, for a bare file name, in the lists folder."""
    folder = lists_dir or _default_dir()
    given = Path(name_or_path)
    bare = bool(name_or_path) and given.name == name_or_path
    if bare and not given.suffix:
        candidates = [folder / f"{name_or_path}{suffix}" for suffix in LIST_SUFFIXES]
    else:
        candidates = [given, folder / name_or_path] if bare else [given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if bare and not given.suffix:
        names = ", ".join(p.stem for p in available_lists(folder)) or "none"
        raise ListError(name_or_path, 0, f"no list of that name in {folder} (available: {names})")
    raise ListError(name_or_path, 0, "no such list file")


def _default_dir() -> Path:
    package = Path(__file__).resolve().parents[1]
    installed = package / "targets"
    return installed if installed.is_dir() else package.parent / "targets"
