"""What a nettest module declares about itself, so the registry finds it with no list to edit.

Each nettest module ends with ``NETTEST = Nettest(...)``; ``probe.nettests.registry`` imports a
module only when its test is asked for (``probe run --test NAME``) or when every test is listed
(``probe tests``), so a test that pulls in a heavy library (censor_locate's scapy) costs nothing
to a run that does not use it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from probe.nettests.session import Session

Measure = Callable[[str, Session], Awaitable[Mapping[str, object]]]
"""A test's measure function: its ``test_keys`` (a TypedDict of the test's own)."""


@dataclass(frozen=True)
class Nettest:
    name: str
    """The module's own name: ``probe/nettests/NAME.py`` (or ``messaging/NAME.py``)."""
    version: str
    description: str
    """One line for ``probe tests``."""
    builtin_inputs: bool
    """True: the targets ship with the probe; run once per run with input ``""``.
    False: run once per URL of the list."""
    measure: Measure
