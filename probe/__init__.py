"""probe: a network-censorship measurement probe that writes OONI-compatible JSONL."""

__version__ = "0.1.0"
SOFTWARE_NAME = "probe"
