"""Controls: what a target looks like from outside (test helper, DNS over HTTPS)."""
