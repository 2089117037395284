#!/usr/bin/env python3
"""Writes the attachment fixtures in tests/fixtures/attachments/ (committed; rerun only to
change them). Needs Pillow and piexif from PyPI, e.g. in a throwaway venv:

    python3 -m venv /tmp/v && /tmp/v/bin/pip install pillow piexif
    /tmp/v/bin/python scripts/make-attachment-fixtures.py

- phone-photo.jpg: a 320x240 photo-like JPEG carrying what a phone writes: EXIF with
  camera make and model, the time, orientation 6 (portrait) and a GPS position
  (Bristol, 51.4545 N 2.5879 W), an XMP packet and a JPEG comment.
- screenshot.png: a PNG with tEXt, iTXt and eXIf chunks (a GPS position in EXIF).
"""

import io
import os
import random

import piexif
from PIL import Image, PngImagePlugin

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "attachments")


def rational(value):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return ((degrees, 1), (minutes, 1), (seconds, 100))


def exif_bytes():
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: rational(51.4545),
        piexif.GPSIFD.GPSLongitudeRef: b"W",
        piexif.GPSIFD.GPSLongitude: rational(2.5879),
    }
    zeroth = {
        piexif.ImageIFD.Make: b"Apple",
        piexif.ImageIFD.Model: b"iPhone 13",
        piexif.ImageIFD.Orientation: 6,
        piexif.ImageIFD.DateTime: b"2026:11:30 14:02:11",
    }
    exif = {"0th": zeroth, "Exif": {piexif.ExifIFD.BodySerialNumber: b"SERIAL-123456"}, "GPS": gps}
    return piexif.dump(exif)


def photo():
    rng = random.Random(13)
    image = Image.new("RGB", (320, 240))
    pixels = image.load()
    for y in range(240):
        for x in range(320):
            noise = rng.randint(-12, 12)
            pixels[x, y] = (min(255, max(0, x * 255 // 320 + noise)),
                            min(255, max(0, 120 + noise)),
                            min(255, max(0, y * 255 // 240 + noise)))
    return image


def main():
    os.makedirs(OUT, exist_ok=True)
    buffer = io.BytesIO()
    photo().save(buffer, "JPEG", quality=80, exif=exif_bytes(), comment=b"taken at 12 Park Row")
    jpeg = buffer.getvalue()
    # An XMP packet in its own APP1 segment, right after SOI, as cameras write it.
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>51,27.27N</exif:GPSLatitude></x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    jpeg = jpeg[:2] + segment + jpeg[2:]
    with open(os.path.join(OUT, "phone-photo.jpg"), "wb") as f:
        f.write(jpeg)

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 51.4545 N 2.5879 W")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPSLatitude 51.4545</x:xmpmeta>")
    small = photo().resize((64, 48))
    buffer = io.BytesIO()
    small.save(buffer, "PNG", pnginfo=info, exif=exif_bytes())
    with open(os.path.join(OUT, "screenshot.png"), "wb") as f:
        f.write(buffer.getvalue())


if __name__ == "__main__":
    main()
