"""Hermetic servers on 127.0.0.1 that behave like the network the probe meets."""
