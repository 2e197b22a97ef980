"""The key of the identity check's own ``ListPage`` rows (one per checked page), in a module
of its own so another check can skip them without importing the identity check."""

IDENTITY_KEY = "__identity__"
