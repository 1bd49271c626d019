"""One run of the probe, from its options to a finished results file (see run.py)."""
