"""probe: a network-censorship measurement probe that writes OONI-compatible JSONL."""

__version__ = "0.2.0"
SOFTWARE_NAME = "probe"
