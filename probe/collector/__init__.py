"""The collector: receives measurements from probes over OONI's collector protocol."""
