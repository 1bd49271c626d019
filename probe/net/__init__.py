"""Network primitives: each step returns a record of what it observed, never a verdict."""
