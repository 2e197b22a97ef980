"""The key of the injection check's own ``ListPage`` rows (a page's foreign scripts and
redirects, compared across its template), in a module of its own so another check can skip
them without importing the injection check."""

INJECTION_KEY = "__injection__"
