"""Channels that reach customers outside the app: mail through the shop's own SMTP server."""
