"""The control test helper: answers OONI web_connectivity control requests from outside."""
