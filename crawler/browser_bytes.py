"""Which bytes of a page's resources a browser audit needs, and the stand-ins it hands Chromium
for the ones it does not.

No axe rule and no 适老化 check reads a font's or an image's pixels:

* **Fonts** change glyph shapes only; contrast is computed from the cascade's colours and the
  computed font size, which a fallback font leaves as they are. Not fetched.
* **Images**: image-alt, role-img-alt, input-image-alt and the rest read the DOM; contrast
  over a background image is left "incomplete" by axe whatever the picture (it sees that a
  ``background-image`` is set, not what it shows). What an image does decide is layout: its
  intrinsic size sizes an ``<img>`` without width/height, and so a 飘窗 (floating window) or an
  overlay built around a picture, whose area the pop-up check measures, and the positions
  contrast and focus checks see. So the first ``IMAGE_HEAD_BYTES`` are read (a Range request;
  a server that ignores Range is cut off there), the header gives the size, and Chromium gets
  an empty SVG of exactly that size. A picture whose size the head does not tell is fetched
  whole.
* **Media**: ``no-autoplay-audio`` needs the duration of ``<audio|video autoplay>``; other
  media is not fetched. A frame whose DOM cannot be asked fetches its media (the safe side).
"""

from __future__ import annotations

import contextlib
import enum
import io
import warnings

from PIL import Image
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request

# Enough for the size of PNG, GIF, WebP and BMP (in the first 30 bytes) and of a JPEG whose
# EXIF block and thumbnail come before its frame header (camera photos: typically < 20 KB).
IMAGE_HEAD_BYTES = 32 * 1024
_JS_AUTOPLAY = "() => !!document.querySelector('audio[autoplay], video[autoplay]')"
# EXIF orientations that turn the picture a quarter: Chromium shows it height × width.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


class Need(enum.Enum):
    ALL = "all"  # fetched and handed over as it is
    SIZE = "size"  # the first bytes, for the size; an empty stand-in of that size
    NONE = "none"  # not fetched


async def bytes_needed(request: Request) -> Need:
    kind = request.resource_type
    if kind == "font":
        return Need.NONE
    if kind == "image" and request.method == "GET":
        return Need.SIZE
    if kind == "media":
        return Need.ALL if await _autoplays(request) else Need.NONE
    return Need.ALL


async def _autoplays(request: Request) -> bool:
    with contextlib.suppress(PlaywrightError):
        return bool(await request.frame.evaluate(_JS_AUTOPLAY))
    return True


def image_size(head: bytes) -> tuple[int, int] | None:
    """Width and height as Chromium lays the picture out, from its first bytes; None when
    they do not tell (not a raster format Pillow knows, or a header past the head)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a huge declared size is only a number here
            with Image.open(io.BytesIO(head)) as image:
                width, height = image.size
                orientation = 1
                if image.format == "JPEG":
                    with contextlib.suppress(Exception):
                        orientation = int(image.getexif().get(0x0112) or 1)
    except Exception:  # Pillow raises many kinds on bytes it cannot read
        return None
    if width <= 0 or height <= 0:
        return None
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def stand_in(status: int, head: bytes) -> tuple[dict[str, str], bytes] | None:
    """Headers and body of an empty SVG the size of the picture whose answer began with
    ``head``; None for an error answer or a size the head does not tell."""
    if status not in (200, 206):
        return None
    size = image_size(head)
    if size is None:
        return None
    width, height = size
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"/>'
    return {"content-type": "image/svg+xml"}, svg.encode("ascii")
