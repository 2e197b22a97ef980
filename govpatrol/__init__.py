"""govpatrol — 政务网站巡检: an open-source monitor for Chinese government websites."""

__version__ = "0.1.0"
# Bumped whenever a page-level check changes what it finds: a rescan re-uses an unchanged
# page's earlier results only when they were made by the same rules.
RULES_VERSION = "2026.11.1"
