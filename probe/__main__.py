"""``python -m probe`` runs the CLI, for environments where the console script is not on PATH."""

from probe.cli.app import main

main()
