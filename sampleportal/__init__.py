"""A generated Chinese government bureau portal (某市民政局) with known problems, for tests.

``generate_portal`` writes the site, the server's special routes and ``truth.json`` (every
finding a correct scan must produce); ``PortalServer`` serves it on 127.0.0.1 and misbehaves
where the truth says it should. ``python -m sampleportal generate|serve DIR`` does the same
from the command line.
"""

from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from sampleportal.truth import Truth, load_truth, site_path

__all__ = ["PortalServer", "Truth", "generate_portal", "load_truth", "site_path"]
