"""Light images: a 4 MB phone photo reaches a 360 px phone in at most 100 KB (PRODUCT §6)."""

import io
import random
import re
from functools import cache
from urllib.parse import urljoin

import pytest
from PIL import Image, ImageDraw

COURSE = "/courses/contoh-kursus/"
PHONE_CSS_WIDTH = 360


@cache
def phone_photo() -> bytes:
    """A 4000×3000 JPEG of noise and shapes, as big as a phone camera's, taken sideways
    (EXIF orientation 6: the picture is shown upright, 3000 wide and 4000 high)."""
    w, h = 4000, 3000
    gradient = Image.linear_gradient("L").resize((w, h))
    img = Image.merge("RGB", (gradient, gradient.rotate(90).resize((w, h)),
                              Image.effect_noise((w, h), 90)))
    draw, rnd = ImageDraw.Draw(img), random.Random(13)
    for _ in range(300):
        x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.randrange(20, 300)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def pick_candidate(img_tag: str, dpr: int) -> str:
    """The srcset candidate a browser picks: the narrowest at least as wide as the slot."""
    sizes = re.search(r'sizes="([^"]*)"', img_tag).group(1)
    # "(max-width: 40rem) calc(100vw - 2rem), 38rem": on a 360 px screen, 360 - 32 px.
    assert sizes.startswith("(max-width: 40rem) calc(100vw - 2rem)")
    slot = (PHONE_CSS_WIDTH - 32) * dpr
    candidates = sorted(
        (int(width), url)
        for url, width in re.findall(r"(\S+) (\d+)w", re.search(r'srcset="([^"]*)"',
                                                                img_tag).group(1))
    )
    return next((url for width, url in candidates if width >= slot), candidates[-1][1])


@pytest.fixture
def photo_course(make, course_copy):
    folder = course_copy()
    photo = phone_photo()
    assert len(photo) > 4 * 1024 * 1024
    (folder / "media" / "foto.jpg").write_bytes(photo)
    lesson = folder / "01-dasar" / "02-kedua.md"
    lesson.write_text(lesson.read_text() + "\n![Antrean di loket pelayanan](../media/foto.jpg)\n")
    make.course(folder)
    return photo


@pytest.mark.parametrize("dpr", [1, 2])
def test_a_phone_photo_costs_a_360px_phone_at_most_100_kb(login, photo_course, dpr):
    me = login()
    page = me.client.get(COURSE + "dasar/kedua").get_data(as_text=True)
    tag = re.search(r'<img alt="Antrean di loket pelayanan"[^>]*>', page).group(0)
    assert 'loading="lazy"' in tag
    # Upright (EXIF rotation applied), scaled to 1280 px wide at most.
    assert 'width="1280"' in tag and 'height="1707"' in tag
    assert [w for w in re.findall(r" (\d+)w", tag)] == ["360", "720", "1280"]

    url = pick_candidate(tag, dpr)
    response = me.client.get(urljoin(COURSE + "dasar/kedua", url))
    assert response.status_code == 200
    assert len(response.data) <= 100 * 1024
    assert "immutable" in response.headers["Cache-Control"]  # the fingerprinted media URL
    with Image.open(io.BytesIO(response.data)) as served:
        assert served.width == (360 if dpr == 1 else 720)
        assert served.height > served.width  # shown the right way up


def test_the_original_photo_is_kept_for_download(login, photo_course):
    me = login()
    page = me.client.get(COURSE + "dasar/kedua").get_data(as_text=True)
    version = re.search(r"foto\.jpg\.lentera-1280w\?v=(\w+)", page).group(1)
    original = me.client.get(f"{COURSE}media/foto.jpg?v={version}")
    assert original.data == photo_course and original.mimetype == "image/jpeg"


def test_a_width_the_trainer_chose_is_kept_and_sizes_follows_it(app):
    from app.services.content.images import ImageInfo, with_image_sizes
    from app.services.content.loader import ParsedMedia

    media = ParsedMedia("ikon.png", "image/png", b"", "ab" * 32, ImageInfo(800, 400))
    links = {"../media/ikon.png": "../media/ikon.png?v=abababababab"}
    html = with_image_sizes('<p><img alt="Ikon" src="../media/ikon.png?v=abababababab" '
                            'width="120"></p>', links, {"ikon.png": media})
    assert 'width="120"' in html and "height=" not in html and 'sizes="120px"' in html
    assert 'srcset="../media/ikon.png.lentera-360w?v=abababababab 360w, ' \
           '../media/ikon.png.lentera-720w?v=abababababab 720w, ' \
           '../media/ikon.png.lentera-800w?v=abababababab 800w"' in html
