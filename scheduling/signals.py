"""Signals through which apps that build on scheduling (candidates) hear what happened."""

from django.dispatch import Signal

# Sent after a connection was authorized (or re-authorized): kwargs `connection`, `user`.
connection_connected = Signal()
