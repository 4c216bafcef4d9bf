"""Uploaded images: checked by decoding them, re-encoded, metadata removed. No Flask, no DB.

An upload is accepted only when Pillow can decode it as a JPEG or PNG (a text file renamed to
``.jpg`` is refused, whatever its name or declared type). The pixels are copied into a fresh
image, so no EXIF (GPS position, camera serial), ICC profile, XMP or PNG text chunk survives;
the EXIF orientation is applied first so the picture still stands the right way up.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
JPEG_QUALITY = 85
# Refuse images that would take too much memory to decode (a "decompression bomb").
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}

# Reason codes (stable: forms map them to messages).
EMPTY = "empty"
TOO_LARGE = "too_large"
NOT_AN_IMAGE = "not_an_image"
WRONG_TYPE = "wrong_type"
TOO_MANY_PIXELS = "too_many_pixels"


class ImageRejected(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def process_image(raw: bytes) -> ProcessedImage:
    """Decode, check and re-encode an uploaded image (raises ImageRejected(code))."""
    if not raw:
        raise ImageRejected(EMPTY)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageRejected(TOO_LARGE)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw)) as opened:
                fmt = opened.format
                if fmt not in ACCEPTED_FORMATS:
                    raise ImageRejected(WRONG_TYPE)
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected(TOO_MANY_PIXELS)
                opened.load()
                picture = ImageOps.exif_transpose(opened)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(TOO_MANY_PIXELS) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            # Truncated or corrupt files fail while loading, not while opening.
            raise ImageRejected(NOT_AN_IMAGE) from exc
    return _encode(picture, fmt)


def _encode(picture: Image.Image, fmt: str) -> ProcessedImage:
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    if fmt == "PNG" and has_alpha:
        mode, out_format = "RGBA", "PNG"
    elif fmt == "PNG":
        mode, out_format = ("L" if picture.mode in ("1", "L") else "RGB"), "PNG"
    else:
        mode, out_format = ("L" if picture.mode in ("1", "L") else "RGB"), "JPEG"
    converted = picture.convert(mode)
    converted.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image carries pixels only: no EXIF, ICC profile, XMP or text chunks.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    buffer = io.BytesIO()
    if out_format == "JPEG":
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(buffer, "PNG", optimize=True)
    data = buffer.getvalue()
    return ProcessedImage(data=data, content_type=ACCEPTED_FORMATS[out_format], width=clean.width,
                          height=clean.height, sha256=hashlib.sha256(data).hexdigest())
