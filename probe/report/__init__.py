"""Measurement files: the OONI envelope, the JSONL writer and reader."""
