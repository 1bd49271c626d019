"""A package's public names, each imported from its own module on first use.

``probe run`` needs a few names of ``probe.analysis`` and ``probe.interception`` before it
measures, not every module behind them (docs/performance.md, "Start-up"); a package whose
``__init__`` imported them all would load the verdicts and the X.509 parser at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The package's ``__getattr__``: ``modules`` maps each submodule to the names it exports."""
    module_of = {name: module for module, names in modules.items() for name in names}
    namespace = vars(importlib.import_module(package))

    def getattr_(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # found directly from now on
        return value

    return getattr_
