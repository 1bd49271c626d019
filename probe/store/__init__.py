"""The shared measurement store: what the collector writes and the analysts query."""
