"""Regenerate the demo's media in assets/demo/: archival-looking photographs, a spoken
recording (espeak-ng) and its WebVTT transcript.

    python scripts/make_demo_assets.py

Needs espeak-ng on the PATH (Debian/Ubuntu: apt-get install espeak-ng) for the narration;
everything else comes with slideshow's own dependencies. The output is deterministic for a
given espeak-ng version, and small (under 3 MB in all).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "demo"
RATE = 22050

NARRATION = [
    "My name is Anna. In nineteen seventy one, my family applied for an exit visa.",
    "The answer came after eight months. It was a refusal, on a single typed page.",
    "We became refuseniks. My father lost his job at the institute.",
    "We studied Hebrew in secret, in a kitchen, with the radio turned up.",
    "Letters came from America. Strangers wrote that they had not forgotten us.",
    "In nineteen seventy nine, the visa finally came. We left Kiev in the spring.",
]
# The same lines in Russian, for the demo's second transcript (the same cue times).
NARRATION_RU = [
    "Меня зовут Анна. В семьдесят первом году моя семья подала на выездную визу.",
    "Ответ пришёл через восемь месяцев. Это был отказ, на одной машинописной странице.",
    "Мы стали отказниками. Отец потерял работу в институте.",
    "Мы тайно учили иврит на кухне, включив погромче радио.",
    "Из Америки приходили письма. Незнакомые люди писали, что не забыли нас.",
    "В семьдесят девятом году виза наконец пришла. Весной мы уехали из Киева.",
]


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    sys.path.insert(0, str(ROOT / "src"))
    from slideshow.renderer.video.fonts import bundled_font

    return ImageFont.truetype(str(bundled_font(bold)), size)


def age(image: Image.Image, seed: int, sepia: bool = True) -> Image.Image:
    """Grain, softness, a vignette and a sepia or silver tone: the look of an old print."""
    rng = np.random.default_rng(seed)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    h, w = gray.shape
    gray += rng.normal(0, 9, gray.shape)
    y, x = np.mgrid[0:h, 0:w]
    vignette = 1 - 0.35 * (((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2)
    gray = np.clip(gray * vignette, 0, 255)
    tone = (1.0, 0.88, 0.7) if sepia else (0.97, 0.97, 1.0)
    rgb = np.stack([gray * t for t in tone], axis=2)
    return Image.fromarray(np.clip(rgb + 12, 0, 255).astype(np.uint8))


def synagogue() -> Image.Image:
    img = Image.new("RGB", (1400, 933), (170, 175, 185))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 700, 1400, 933), fill=(90, 90, 85))
    d.rectangle((250, 180, 1150, 720), fill=(150, 130, 110), outline=(60, 50, 40), width=6)
    d.polygon([(230, 190), (700, 40), (1170, 190)], fill=(120, 100, 85))
    for i in range(5):
        x = 310 + i * 170
        d.rectangle((x, 330, x + 90, 520), fill=(60, 70, 90))
        d.ellipse((x, 290, x + 90, 370), fill=(60, 70, 90))
    d.rectangle((620, 560, 780, 720), fill=(70, 50, 35))
    d.rectangle((280, 200, 1120, 270), fill=(235, 230, 215), outline=(40, 40, 40), width=3)
    d.text((700, 235), "SAVE SOVIET JEWRY", font=font(58, True), fill=(30, 30, 30), anchor="mm")
    # a star of David over the door
    cx, cy, r = 700, 120, 45
    for turn in (0, 1):
        angle = np.pi / 2 + turn * np.pi
        pts = [
            (cx + r * np.cos(angle + k * 2 * np.pi / 3), cy - r * np.sin(angle + k * 2 * np.pi / 3))
            for k in range(3)
        ]
        d.polygon(pts, outline=(40, 40, 40), width=5)
    return age(img, 1)


def rally() -> Image.Image:
    rng = random.Random(2)
    img = Image.new("RGB", (1400, 933), (200, 205, 215))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 520, 1400, 933), fill=(120, 120, 115))
    d.rectangle((520, 120, 880, 420), fill=(225, 225, 220))  # the Capitol, far away
    d.ellipse((600, 40, 800, 200), fill=(225, 225, 220))
    for _ in range(420):
        x, y = rng.randint(-20, 1420), rng.randint(480, 960)
        s = 14 + (y - 480) // 18
        shade = rng.randint(20, 90)
        d.ellipse((x - s // 2, y - s, x + s // 2, y), fill=(shade, shade, shade))
        d.rectangle((x - s // 2, y, x + s // 2, y + 2 * s), fill=(shade + 20,) * 3)
    signs = [("LET MY PEOPLE GO", 180, 380), ("FREEDOM NOW", 760, 430), ("שלח את עמי", 1110, 360)]
    for text, x, y in signs:
        d.rectangle((x - 10, y, x - 4, y + 220), fill=(70, 60, 50))
        d.rectangle(
            (x - 150, y - 80, x + 150, y + 10), fill=(240, 238, 230), outline=(20, 20, 20), width=3
        )
        d.text((x, y - 35), text, font=font(34, True), fill=(20, 20, 20), anchor="mm")
    return age(img, 2, sepia=False)


def refusal() -> Image.Image:
    img = Image.new("RGB", (900, 1200), (232, 226, 205))
    d = ImageDraw.Draw(img)
    d.text((450, 120), "ОВИР  г. Киев", font=font(40, True), fill=(40, 40, 60), anchor="mm")
    d.line((120, 170, 780, 170), fill=(40, 40, 60), width=3)
    d.text((450, 260), "ОТКАЗ", font=font(90, True), fill=(150, 30, 30), anchor="mm")
    lines = [
        "В выдаче разрешения на выезд",
        "в государство Израиль",
        "Вам отказано.",
        "",
        "Повторное заявление может быть",
        "подано не ранее чем через",
        "один год.",
        "",
        "12 октября 1971 г.",
    ]
    for i, line in enumerate(lines):
        d.text((140, 380 + i * 56), line, font=font(38), fill=(50, 50, 60))
    d.ellipse((560, 930, 780, 1150), outline=(90, 60, 140), width=8)
    d.text((670, 1040), "ОВИР", font=font(40, True), fill=(90, 60, 140), anchor="mm")
    return age(img, 3).rotate(1.2, resample=Image.Resampling.BICUBIC, fillcolor=(20, 20, 20))


def family() -> Image.Image:
    img = Image.new("RGB", (1400, 1000), (150, 140, 125))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 760, 1400, 1000), fill=(100, 90, 80))
    people = [(330, 1.0), (560, 1.15), (800, 1.1), (1040, 0.75), (1200, 0.6)]
    for x, scale in people:
        head = int(70 * scale)
        top = 760 - int(470 * scale)
        d.ellipse((x - head // 2, top, x + head // 2, top + head), fill=(205, 185, 160))
        d.rounded_rectangle(
            (x - int(95 * scale), top + head + 10, x + int(95 * scale), 770),
            radius=30,
            fill=(50, 45, 45),
        )
    d.text((700, 930), "Kiev, 1970", font=font(36), fill=(235, 230, 220), anchor="mm")
    return age(img, 4)


def letters() -> Image.Image:
    img = Image.new("RGB", (1400, 933), (80, 70, 60))
    ImageDraw.Draw(img)
    rng = random.Random(5)
    for k in range(7):
        x, y = 120 + k * 170 + rng.randint(-30, 30), 140 + rng.randint(-60, 260)
        w, h = 420, 280
        env = Image.new("RGB", (w, h), (236, 230, 214))
        e = ImageDraw.Draw(env)
        e.rectangle((w - 90, 15, w - 20, 95), fill=(150, 60, 60))
        e.text((40, 140), "Anna K.", font=font(30), fill=(30, 30, 80))
        e.text((40, 185), "Kiev, USSR", font=font(30), fill=(30, 30, 80))
        env = env.rotate(rng.uniform(-14, 14), expand=True, fillcolor=(80, 70, 60))
        img.paste(env, (x, y))
    return age(img, 5)


def speak(text: str, folder: Path, index: int) -> np.ndarray:
    wav = folder / f"{index}.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-p", "45", "-w", str(wav), text], check=True
    )
    with av.open(str(wav)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks = [
            f.to_ndarray()[0]
            for frame in container.decode(audio=0)
            for f in resampler.resample(frame)
        ]
    return np.concatenate(chunks)


def narration() -> None:
    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is needed for the narration: apt-get install espeak-ng")
    pause = np.zeros(int(RATE * 0.9), dtype=np.float32)
    pieces, cues, position = [pause], [], len(pause)
    with tempfile.TemporaryDirectory() as tmp:
        for index, sentence in enumerate(NARRATION):
            voice = speak(sentence, Path(tmp), index)
            cues.append((position / RATE, (position + len(voice)) / RATE, sentence))
            pieces += [voice, pause]
            position += len(voice) + len(pause)
    # A faint room tone, as on a real cassette transfer.
    audio = np.concatenate(pieces)
    audio = audio + np.random.default_rng(7).normal(0, 0.002, audio.shape).astype(np.float32)
    with av.open(str(OUT / "anna_interview.m4a"), "w") as container:
        stream = container.add_stream("aac", rate=RATE)
        stream.layout = "mono"
        stream.bit_rate = 48_000
        for start in range(0, len(audio), 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(audio[None, start : start + 1024]),
                format="fltp",
                layout="mono",
            )
            frame.sample_rate = RATE
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with open(OUT / "anna_interview.vtt", "w", encoding="utf-8") as vtt:
        vtt.write("WEBVTT\n\n")
        for start, end, text in cues:
            vtt.write(f"{_stamp(start)} --> {_stamp(end)}\n{text}\n\n")
    with open(OUT / "anna_interview.ru.vtt", "w", encoding="utf-8") as vtt:
        vtt.write("WEBVTT\nLanguage: ru\n\n")
        for (start, end, _), text in zip(cues, NARRATION_RU):
            vtt.write(f"{_stamp(start)} --> {_stamp(end)}\n{text}\n\n")


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


# What archives embed in their scans, so `slideshow init assets/demo` finds captions and dates.
CAPTIONS = {
    "I-495_0001.jpg": (
        "Soviet Jewry Movement sign on the Lincolnwood Jewish Congregation, 1970's",
        "1975:06:01 12:00:00",
        "I-495",
    ),
    "rally_1987.jpg": (
        "Freedom Sunday, Washington, 6 December 1987. «Отпусти народ мой» — שלח את עמי",
        "1987:12:06 12:00:00",
        None,
    ),
    "family_1970.jpg": ("The family in Kiev, summer 1970", "1970:08:15 12:00:00", None),
    "visa_refusal.jpg": ("Отказ в выезде, Киев, 1971 — סירוב ליציאה", "1971:03:10 12:00:00", None),
    "letters.jpg": ("Letters from America, 1979", "1979:02:01 12:00:00", None),
}


def metadata(name: str, orientation: int | None = None) -> dict:
    """Pillow's save() arguments that embed the photo's XMP dc:description (and dc:identifier)
    and its EXIF DateTimeOriginal."""
    description, taken, identifier = CAPTIONS[name]
    ident = f"<dc:identifier>{escape(identifier)}</dc:identifier>" if identifier else ""
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>'
        f'<rdf:li xml:lang="x-default">{escape(description)}</rdf:li></rdf:Alt></dc:description>'
        f"{ident}</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = taken
    return {"xmp": xmp.encode("utf-8"), "exif": exif.tobytes()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    keep = {"quality": 82, "optimize": True}
    synagogue().save(OUT / "I-495_0001.jpg", **keep, **metadata("I-495_0001.jpg"))
    rally().save(OUT / "rally_1987.jpg", **keep, **metadata("rally_1987.jpg"))
    family().convert("L").save(OUT / "family_1970.jpg", **keep, **metadata("family_1970.jpg"))
    # Stored sideways with an EXIF orientation tag, as many scanners and cameras do.
    refusal().rotate(90, expand=True).save(
        OUT / "visa_refusal.jpg", **keep, **metadata("visa_refusal.jpg", orientation=6)
    )
    letters().save(OUT / "letters.jpg", **keep, **metadata("letters.jpg"))
    narration()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB, into {OUT}")


if __name__ == "__main__":
    main()
