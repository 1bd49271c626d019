"""Upload: a durable queue of measurements and the collector-protocol client that drains it."""
