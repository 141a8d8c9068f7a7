"""Pictures made with Pillow for the tests: photographs with EXIF and GPS, bombs, SVG."""

import io
import struct
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    b'<script>alert(document.cookie)</script><rect width="800" height="600" fill="red"/></svg>'
)


def photo(width=1200, height=800, *, fmt="JPEG", gps=True, colour=(30, 90, 160)) -> bytes:
    """A picture with a gradient and shapes (it compresses like a photograph, not like noise),
    and with EXIF naming a camera and, by default, a GPS position."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        shade = int(255 * y / height)
        draw.rectangle([0, y, width, y + 8], fill=(shade, colour[1], 255 - shade))
    draw.ellipse([width // 4, height // 4, width // 2, height // 2], fill=(240, 200, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model 7"  # Model
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes(), **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` by ``height`` pixels: a decompression bomb
    that would need gigabytes once decoded."""
    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    data = bytearray(small.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)
