"""A camera still from Home Assistant's `camera_snapshot` answer, as a `data:` URL (no ORM).

The browser gets the image itself, never an address on Home Assistant: a `data:` URL of an
image type an `<img>` shows, checked before it leaves Odoo.
"""

import base64
import binascii
from dataclasses import dataclass

from .signing import MAX_CAMERA_IMAGE_BYTES

# The image types a browser shows in an <img>, by what cameras send; `image/jpg` is how
# some (Home Assistant's demo camera among them) spell JPEG. SVG is no camera's, and
# could carry script.
IMAGE_TYPES = {
    "image/jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "image/png": "image/png",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
}
MAX_BASE64_LENGTH = 4 * ((MAX_CAMERA_IMAGE_BYTES + 2) // 3)


@dataclass(frozen=True)
class Still:
    """A still image: its type, its size in bytes and its `data:<type>;base64,…` URL."""

    content_type: str
    size: int
    data_url: str


def decode_still(answer):
    """The still of a `camera_snapshot` answer.

    Raises ValueError, naming what is wrong, when the answer holds no image a browser
    may be given.
    """
    content_type, image = answer.get("content_type"), answer.get("image")
    if not isinstance(content_type, str) or not isinstance(image, str) or not image:
        raise ValueError("the answer holds no image")
    image_type = IMAGE_TYPES.get(content_type.split(";", 1)[0].strip().lower())
    if image_type is None:
        raise ValueError(f"images of type {content_type[:64]!r} are not shown")
    if len(image) > MAX_BASE64_LENGTH:
        raise ValueError(f"the image is larger than {MAX_CAMERA_IMAGE_BYTES} bytes")
    try:
        # Only the base64 alphabet passes, so nothing but the image goes into the URL.
        size = len(base64.b64decode(image, validate=True))
    except (binascii.Error, ValueError) as error:
        raise ValueError("the image is not base64") from error
    return Still(image_type, size, f"data:{image_type};base64,{image}")
