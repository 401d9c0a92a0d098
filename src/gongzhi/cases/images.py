"""附件清洗: check an uploaded file's real type and size, and re-encode images without their metadata.

Pure helpers (no ORM, no Django): ``clean_upload(data, filename=...)`` returns the bytes to store. The
type is taken from the file's first bytes, never from its name or the browser's content type. Images
(JPEG, PNG, WebP) are decoded with Pillow, turned upright by their EXIF orientation and written again
without EXIF, XMP, ICC comments or PNG text chunks, so no GPS position, camera serial or timestamp
survives. PDF files are kept as uploaded after a signature check.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "ALLOWED_TYPES",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "CleanFile",
    "FileRejected",
    "clean_upload",
    "reencode_image",
    "sniff_type",
]

MAX_BYTES: Final = 10 * 1024 * 1024
"""Largest accepted upload (10 MB)."""
MAX_PIXELS: Final = 40_000_000
"""Largest accepted image (40 megapixels): larger ones are refused, not decoded (decompression bombs)."""
MAX_SIDE: Final = 4096
"""Images are scaled down so that their longer side is at most this many pixels."""

ALLOWED_TYPES: Final[dict[str, str]] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_PIL_FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class FileRejected(ValueError):
    """The upload cannot be accepted; ``code`` says why (``too_large``, ``empty``, ``type``, ``broken``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(detail or code)


@dataclass(frozen=True)
class CleanFile:
    """What to store: cleaned bytes, their content type and the file extension to use."""

    content: bytes
    content_type: str
    extension: str


def sniff_type(data: bytes) -> str | None:
    """The content type told by the file's magic bytes, or None when it is not an accepted type."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode an image, apply its EXIF orientation, drop all metadata and encode it again."""
    pil_format = _PIL_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != pil_format:
                    raise FileRejected("type", f"content is {image.format}, not {pil_format}")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FileRejected("too_large", f"{width}x{height} pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except FileRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise FileRejected("broken", str(exc)) from exc

    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if pil_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, format="JPEG", quality=85, optimize=True)
    elif pil_format == "PNG":
        if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            upright = upright.convert("RGBA")
        upright.save(out, format="PNG", optimize=True)
    else:
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
        upright.save(out, format="WEBP", quality=85)
    return out.getvalue()


def clean_upload(data: bytes, *, filename: str = "") -> CleanFile:
    """Check and clean one upload; raises ``FileRejected`` when it cannot be accepted.

    ``filename`` is only used for its extension check: a name that claims a different type than the
    content (``photo.jpg`` holding a PDF, ``setup.exe``) is refused.
    """
    if not data:
        raise FileRejected("empty")
    if len(data) > MAX_BYTES:
        raise FileRejected("too_large", f"{len(data)} bytes")
    content_type = sniff_type(data)
    if content_type is None:
        raise FileRejected("type", "unknown content")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed_names = {"jpg", "jpeg", "jpe"} if content_type == "image/jpeg" else {ALLOWED_TYPES[content_type]}
    if extension and extension not in allowed_names:
        raise FileRejected("type", f"name ends in .{extension}, content is {content_type}")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise FileRejected("broken", "PDF without end marker")
        return CleanFile(content=data, content_type=content_type, extension="pdf")
    return CleanFile(
        content=reencode_image(data, content_type),
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
    )
