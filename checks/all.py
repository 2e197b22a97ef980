"""Every check module; importing one registers it."""

import checks.accessibility
import checks.availability
import checks.documents
import checks.freshness
import checks.links  # noqa: F401
