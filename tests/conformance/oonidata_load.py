"""Load JSONL measurements with OONI's own loader, in the venv where ``oonidata`` is installed.

Run by ``test_oonidata.py`` as ``.oonidata-venv/bin/python oonidata_load.py FILE...`` (oonidata
pins old dependencies, so it cannot live in the probe's environment). For each measurement line,
``oonidata.dataclient.load_measurement`` builds OONI's model; then every stored value is checked
against the type OONI's dataclass declares for it, since the loader coerces (``"80"`` becomes a
port 80) where a strict reader would not.
Prints one JSON object: ``{"loaded": N, "failures": [{"where", "error"}...]}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from typing import Any, Union

from oonidata.dataclient import load_measurement


def type_errors(value: Any, declared: Any, where: str) -> list[str]:
    """Where the stored JSON ``value`` is not of type ``declared`` (an OONI model's field)."""
    origin = typing.get_origin(declared)
    args = typing.get_args(declared)
    if declared is Any:
        return []
    if origin in (Union, types.UnionType):
        options = [type_errors(value, a, where) for a in args]
        return [] if any(not o for o in options) else min(options, key=len)
    if origin is typing.Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if declared is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return [f"{where}: {type(value).__name__} is not a list"]
        inner = args[0] if args else Any
        return [e for i, v in enumerate(value) for e in type_errors(v, inner, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not an object"]
        inner = args[1] if len(args) == 2 else Any
        return [e for k, v in value.items() for e in type_errors(v, inner, f"{where}.{k}")]
    if dataclasses.is_dataclass(declared):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not an object ({declared.__name__})"]
        hints = typing.get_type_hints(declared)
        return [
            e
            for f in dataclasses.fields(declared)
            if f.name in value
            for e in type_errors(value[f.name], hints[f.name], f"{where}.{f.name}")
        ]
    if declared is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not a number"]
    if isinstance(declared, type):
        ok = isinstance(value, declared) and not (declared is int and isinstance(value, bool))
        return [] if ok else [f"{where}: {value!r} is not {declared.__name__}"]
    return []


def check(path: str) -> tuple[int, list[dict[str, str]]]:
    loaded, failures = 0, []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            raw = json.loads(line)
            if "test_keys" not in raw:
                continue  # the run trailer: not a measurement
            where = f"{path}:{number} ({raw.get('test_name')})"
            try:
                model = load_measurement(msmt=raw)
            except Exception as exc:  # the loader's failure is the finding
                failures.append({"where": where, "error": f"{type(exc).__name__}: {exc}"[:400]})
                continue
            loaded += 1
            for error in type_errors(raw, type(model), type(model).__name__):
                failures.append({"where": where, "error": error})
    return loaded, failures


def main(paths: list[str]) -> None:
    total, failures = 0, []
    for path in paths:
        loaded, found = check(path)
        total += loaded
        failures += found
    print(json.dumps({"loaded": total, "failures": failures}))


if __name__ == "__main__":
    main(sys.argv[1:])
