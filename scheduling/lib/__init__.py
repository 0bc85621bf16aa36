"""Small generic helpers that know nothing of Convene's models or services (the lowest
layer, with the engine and the Unified client: docs/design.md)."""
