"""Every check module; importing one registers it."""

import checks.accessibility
import checks.availability
import checks.disclosure
import checks.documents
import checks.freshness
import checks.interaction
import checks.links
import checks.outbound
import checks.personal_data
import checks.required_pages  # noqa: F401
