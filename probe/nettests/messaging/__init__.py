"""Messaging-app nettests: one module per app, sharing the endpoint checks and data file."""
