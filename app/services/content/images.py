"""Light images for phones on slow data (PRODUCT §3, §6): sized, scaled and re-encoded at import.

A raster image in `media/` is kept as the trainer gave it (links to it download the original),
and is also served in widths of 360, 720 and 1280 px at most, each re-encoded as WebP when that
is smaller than the source's own format. Lesson HTML names these variants in a `srcset`, with
the image's `width` and `height`, so a 360 px phone picks the small one and the page does not
jump while it loads. The variants are computed from the file's header at check time (cheap) and
encoded only when an import meets a new or changed image (see content.importer).
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:
    from PIL.Image import Image

    from app.services.content.loader import ParsedMedia

WIDTHS = (360, 720, 1280)
# Animated GIFs stay as they are; SVG is never accepted (see loader.MEDIA_TYPES).
RESIZABLE = {"image/png", "image/jpeg", "image/webp"}
# A variant of "foto.jpg" is stored as "foto.jpg.lentera-360w"; trainers' names may not hold it.
VARIANT_MARK = ".lentera-"
# The lesson column is 40rem wide with 1rem padding each side (static/css/app.css `main`).
SIZES = "(max-width: 40rem) calc(100vw - 2rem), 38rem"
# Quality chosen so a 720 px phone photo stays well under 100 KB (PRODUCT §6, tested).
_QUALITY = {360: 72, 720: 68, 1280: 72}
# Pillow refuses decompression bombs by default above ~179 Mpx; ours is lower: 10 MB files.
_MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class ImageInfo:
    width: int  # as displayed: after the camera's EXIF rotation
    height: int

    @property
    def widths(self) -> tuple[int, ...]:
        """The variant widths served, smallest first; never wider than the original."""
        top = min(self.width, WIDTHS[-1])
        return tuple(w for w in WIDTHS if w < top) + (top,)

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


def variant_path(path: str, width: int) -> str:
    """The media path of an image's scaled variant `width` pixels wide ("a.jpg.lentera-360w").
    Raises nothing."""
    return f"{path}{VARIANT_MARK}{width}w"


def image_info(data: bytes) -> ImageInfo | None:
    """The ImageInfo (displayed width and height in pixels) of a PNG, JPEG or WebP read from
    its header, or None when unreadable. Raises nothing."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width < 1 or height < 1 or width * height > _MAX_PIXELS:
                    return None
                # Orientations 5-8 turn the picture a quarter: width and height swap.
                if img.getexif().get(0x0112) in (5, 6, 7, 8):
                    width, height = height, width
    except Exception:  # noqa: BLE001 (any decoder failure means "not a readable image")
        return None
    return ImageInfo(width, height)


def encode_variants(data: bytes, content_type: str) -> list[tuple[int, str, bytes]]:
    """[(width in pixels, content type, bytes)]: the image scaled to each served width and
    re-encoded, smallest first (an empty list for an unreadable image); PRODUCT §6 keeps a
    phone's image at most 100 KB.

    WebP is chosen where it is smaller than the source's format. Photos lose their EXIF data
    (location included) on the way, after being turned upright. Raises nothing."""
    from PIL import Image, ImageOps

    info = image_info(data)
    if info is None:
        return []
    out = []
    with Image.open(io.BytesIO(data)) as source:
        if source.format == "JPEG":
            # Decode at a fraction of the size: most of the work for a 12 Mpx photo saved.
            source.draft("RGB", (info.widths[-1] * 2, info.widths[-1] * 2))
        img = ImageOps.exif_transpose(source)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
        for width in reversed(info.widths):
            height = info.height_at(width)
            scaled = img if img.size == (width, height) else img.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            img = scaled  # the next, smaller width starts from this one
            quality = _QUALITY.get(width, 72)
            candidates = [("image/webp", _save(scaled, "WEBP", quality=quality, method=4))]
            if content_type == "image/jpeg" and not has_alpha:
                candidates.append(("image/jpeg", _save(scaled, "JPEG", quality=quality,
                                                       optimize=True, progressive=True)))
            elif content_type == "image/png":
                candidates.append(("image/png", _save(scaled, "PNG", optimize=True)))
            kind, encoded = min(candidates, key=lambda c: len(c[1]))
            out.append((width, kind, encoded))
    return sorted(out)


def _save(img: Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_SIZE_ATTR = re.compile(r'\s(?:width|height|srcset|sizes|decoding)="[^"]*"')


def with_image_sizes(html: str, links: dict[str, str], images: dict[str, ParsedMedia]) -> str:
    """The HTML with each `<img>` of a course image given its width, height, srcset and lazy
    loading (PRODUCT §3: dimensions in the page).

    `links` maps Markdown targets to their rewritten URLs ("../media/a.png?v=…"); `images`
    maps media paths ("a.png") to ParsedMedia with an ImageInfo. Runs on sanitised HTML and
    writes only attributes it computes itself. Raises nothing."""
    if "<img" not in html or not images:
        return html
    by_url = {}
    for url in links.values():
        base, _, version = url.partition("?v=")
        marker = base.find("media/")
        media = images.get(base[marker + 6:]) if marker >= 0 else None
        if media is not None and media.image is not None:
            by_url[str(escape(url))] = (base, version, media.image)

    def sized(match: re.Match[str]) -> str:
        tag: str = match.group(0)
        src = _SRC.search(tag)
        found = by_url.get(src.group(1)) if src else None
        if src is None or found is None:
            return tag
        base, version, info = found
        urls = [(w, f"{variant_path(base, w)}?v={version}") for w in info.widths]
        top_width, top_url = urls[-1]
        srcset = ", ".join(f"{url} {w}w" for w, url in urls)
        # A width the trainer chose ({width=120}) stays: it is how big the picture is shown.
        chosen = ' width="' in tag
        tag = _SIZE_ATTR.sub("", tag) if not chosen else re.sub(
            r'\s(?:srcset|sizes|decoding)="[^"]*"', "", tag)
        tag = tag.replace(src.group(0), f' src="{top_url}"', 1)
        if "loading=" not in tag:
            tag = tag[:-1] + ' loading="lazy">'
        size = "" if chosen else f' width="{top_width}" height="{info.height_at(top_width)}"'
        given = re.search(r' width="(\d+)"', tag) if chosen else None
        sizes = f"{given.group(1)}px" if given else SIZES
        extra = f'{size} srcset="{srcset}" sizes="{sizes}" decoding="async"'
        return tag[:-1].rstrip("/ ") + extra + ">"

    return _IMG.sub(sized, html)
