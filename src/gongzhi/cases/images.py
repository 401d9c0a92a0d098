"""附件清洗: check an uploaded file's real type and size, and re-encode images without their metadata.

``clean_upload(data, filename=...)`` returns the bytes to store (no ORM). The type is taken from the
file's first bytes, never from its name or the browser's content type. Images (JPEG, PNG, WebP, and HEIC
/HEIF from phone cameras) are decoded with Pillow, turned upright by their EXIF orientation and written
again without EXIF, XMP, ICC comments or PNG text chunks, so no GPS position, camera serial or timestamp
survives. HEIC photos are stored as JPEG, which every browser shows. PDF files are kept as uploaded after
a signature check.

``clean_files(uploads, field=..., max_files=...)`` is what services call: it reads Django uploads, cleans
each and turns a rejection into a ``ValidationFailed`` with a Chinese message naming the field.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import ValidationFailed

__all__ = [
    "ALLOWED_TYPES",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "CleanFile",
    "FileRejected",
    "clean_files",
    "clean_upload",
    "read_upload",
    "reencode_image",
    "rejection_message",
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
    "image/heic": "heic",
    "application/pdf": "pdf",
}
_PIL_FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF"}
#: What an accepted type is stored as (HEIC becomes JPEG: few browsers can show HEIC).
_STORED_AS: Final = {"image/heic": "image/jpeg"}
#: File-name extensions a type may arrive with.
_NAMES: Final = {"image/jpeg": {"jpg", "jpeg", "jpe"}, "image/heic": {"heic", "heif"}}
#: ISO base media brands of HEIC/HEIF still images (bytes 8–12 after ``ftyp``).
_HEIF_BRANDS: Final = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


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
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def _open_heif() -> None:
    """Teach Pillow HEIC/HEIF (pillow-heif); done on the first HEIC upload."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode an image, apply its EXIF orientation, drop all metadata and encode it again."""
    pil_format = _PIL_FORMATS[content_type]
    if pil_format == "HEIF":
        _open_heif()
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
    if pil_format in ("JPEG", "HEIF"):
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
    if extension and extension not in _NAMES.get(content_type, {ALLOWED_TYPES[content_type]}):
        raise FileRejected("type", f"name ends in .{extension}, content is {content_type}")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise FileRejected("broken", "PDF without end marker")
        return CleanFile(content=data, content_type=content_type, extension="pdf")
    stored_as = _STORED_AS.get(content_type, content_type)
    return CleanFile(
        content=reencode_image(data, content_type),
        content_type=stored_as,
        extension=ALLOWED_TYPES[stored_as],
    )


# --- Django uploads ----------------------------------------------------------------------------------


def read_upload(upload: Any, *, limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """The bytes (at most ``limit`` + 1, so an oversized stream is noticed) and the bare file name."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise FileRejected("too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    return data, name


def rejection_message(code: str) -> str:
    """The Chinese message for a ``FileRejected`` code."""
    if code == "too_large":
        return _("The file is too large. Upload a file of at most 10 MB.")
    if code == "empty":
        return _("The file is empty.")
    if code == "broken":
        return _("The file is damaged and cannot be opened.")
    return _("Only JPEG, PNG, WebP or HEIC photos and PDF files can be uploaded.")


def clean_files(
    uploads: Any, *, field: str, max_files: int, photos_only: bool = False
) -> list[tuple[CleanFile, str]]:
    """Read, check and clean uploads before anything is stored; ``ValidationFailed`` names ``field``."""
    uploads = [upload for upload in (uploads or ()) if upload]
    if len(uploads) > max_files:
        raise ValidationFailed({field: _("Upload at most %(max)s files.") % {"max": max_files}})
    cleaned = []
    for upload in uploads:
        try:
            data, name = read_upload(upload)
            clean = clean_upload(data, filename=name)
        except FileRejected as exc:
            raise ValidationFailed(
                {field: rejection_message(exc.code)}, code=f"attachment.{exc.code}"
            ) from exc
        if photos_only and not clean.content_type.startswith("image/"):
            raise ValidationFailed({field: _("Only JPEG, PNG, WebP or HEIC photos can be uploaded.")})
        cleaned.append((clean, name))
    return cleaned
