"""Image checks and re-encoding: real decoding, size limits, metadata removed."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from burgerbegroting.proposals import images as img
from tests.proposals.helpers import image_bytes


def test_jpeg_is_reencoded_and_exif_removed() -> None:
    raw = image_bytes("JPEG", exif=True)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x010F) == "GeheimMerk"
    out = img.process_image(raw)
    assert out.content_type == "image/jpeg"
    reopened = Image.open(io.BytesIO(out.data))
    assert reopened.format == "JPEG"
    assert len(reopened.getexif()) == 0
    assert "exif" not in reopened.info and "icc_profile" not in reopened.info
    assert b"GeheimMerk" not in out.data and b"Camera-software" not in out.data
    assert (out.width, out.height) == (40, 30)
    assert len(out.sha256) == 64


def test_png_keeps_transparency_and_loses_text_chunks() -> None:
    picture = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "adres: Dorpsstraat 1")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info)
    out = img.process_image(buffer.getvalue())
    assert out.content_type == "image/png"
    reopened = Image.open(io.BytesIO(out.data))
    assert reopened.mode == "RGBA"
    assert "Comment" not in reopened.info
    assert b"Dorpsstraat" not in out.data


def test_large_image_is_scaled_down() -> None:
    out = img.process_image(image_bytes("PNG", size=(3200, 800)))
    assert (out.width, out.height) == (1600, 400)


def test_exif_orientation_is_applied_before_stripping() -> None:
    picture = Image.new("RGB", (40, 20), (10, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: shown 20 wide, 40 high
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    out = img.process_image(buffer.getvalue())
    assert (out.width, out.height) == (20, 40)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", img.EMPTY),
        (b"Dit is geen foto, maar een tekstbestand.\n", img.NOT_AN_IMAGE),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", img.NOT_AN_IMAGE),
        (image_bytes("GIF", mode="P"), img.WRONG_TYPE),
        (image_bytes("JPEG")[:60], img.NOT_AN_IMAGE),  # truncated
    ],
)
def test_bad_files_are_refused(raw: bytes, code: str) -> None:
    with pytest.raises(img.ImageRejected) as caught:
        img.process_image(raw)
    assert caught.value.code == code


def test_oversize_file_is_refused_before_decoding() -> None:
    raw = image_bytes("PNG") + b"\0" * img.MAX_UPLOAD_BYTES
    with pytest.raises(img.ImageRejected) as caught:
        img.process_image(raw)
    assert caught.value.code == img.TOO_LARGE


def test_too_many_pixels_is_refused() -> None:
    # A PNG of 8000 x 8000 pixels of one colour is small on disk but huge in memory.
    raw = image_bytes("PNG", size=(8000, 8000), mode="1")
    assert len(raw) < img.MAX_UPLOAD_BYTES
    with pytest.raises(img.ImageRejected) as caught:
        img.process_image(raw)
    assert caught.value.code == img.TOO_MANY_PIXELS
