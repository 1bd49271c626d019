"""Data files shipped in the package, read with ``importlib.resources`` so wheels work too."""
