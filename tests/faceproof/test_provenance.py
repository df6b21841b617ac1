"""Metadata summaries and their findings, on files the tests write with Pillow and PyAV, and
hostile metadata that must never raise."""

from __future__ import annotations

import io
import struct

import av
import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from faceproof.provenance import VERDICT_NOTE, read_provenance
from faceproof.provenance.findings import parse_date
from faceproof.provenance.generators import names_ai_generator
from faceproof.provenance.safe_text import safe_text
from tests.faceproof.provenance_files import IPTC, camera_exif, jpeg


def by_code(provenance) -> dict:
    return {f.code: f for f in provenance.findings}


def test_camera_exif_is_summarised():
    exif = camera_exif(software="Adobe Photoshop 25.0", modified="2024:05:03 12:00:00", gps=True)
    p = read_provenance(jpeg(exif), "image")
    m = p.metadata
    assert m.sources == ["EXIF"]
    assert (m.camera_make, m.camera_model) == ("Canon", "EOS R5")
    assert m.software == "Adobe Photoshop 25.0"
    assert m.captured_at == "2024-05-01T10:00:00"
    assert m.modified_at == "2024-05-03T12:00:00"
    assert m.gps_present is True
    found = by_code(p)
    assert found["camera"].text == "Camera: Canon EOS R5."
    assert found["software"].level == "info"
    assert "not shown" in found["gps_present"].text
    assert "52" not in found["gps_present"].text  # never the location itself
    assert "modified_long_after_capture" not in found
    assert p.note == VERDICT_NOTE and "never changes" in p.note


def test_software_naming_an_ai_generator_is_a_warning():
    p = read_provenance(jpeg(camera_exif(software="Midjourney v6.1")), "image")
    finding = by_code(p)["ai_software"]
    assert finding.level == "warning"
    assert "Midjourney" in finding.text


def test_a_modification_long_after_capture_is_worth_a_look():
    exif = camera_exif(taken="2022:01:10 09:00:00", modified="2024:06:01 10:00:00")
    finding = by_code(read_provenance(jpeg(exif), "image"))["modified_long_after_capture"]
    assert finding.level == "notice"
    assert "873 days" in finding.text


def test_a_modification_before_capture_is_worth_a_look():
    exif = camera_exif(taken="2024:06:01 10:00:00", modified="2020:01:01 10:00:00")
    assert "modified_before_capture" in by_code(read_provenance(jpeg(exif), "image"))


def test_no_metadata_proves_nothing():
    p = read_provenance(jpeg(), "image")
    assert p.metadata.sources == []
    finding = by_code(p)["no_metadata"]
    assert finding.level == "info" and "proves nothing" in finding.text


def xmp_packet(**props: str) -> bytes:
    attrs = " ".join(f'{k}="{v}"' for k, v in props.items())
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f"{attrs}/></rdf:RDF></x:xmpmeta>"
    ).encode()


def test_xmp_digital_source_type_and_creator_tool_are_read():
    packet = xmp_packet(
        **{
            "xmp:CreatorTool": "Adobe Firefly",
            "Iptc4xmpExt:DigitalSourceType": IPTC + "trainedAlgorithmicMedia",
            "xmp:CreateDate": "2025-02-01T10:00:00+01:00",
        }
    )
    p = read_provenance(jpeg(xmp=packet), "image")
    assert "XMP" in p.metadata.sources
    assert p.metadata.digital_source_type == "trainedAlgorithmicMedia"
    assert p.metadata.captured_at == "2025-02-01T10:00:00+01:00"
    found = by_code(p)
    assert found["metadata_ai_generated"].level == "warning"
    assert "anyone" in found["metadata_ai_generated"].text  # unsigned: says so
    assert "Firefly" in found["ai_software"].text


def test_a_png_generation_record_is_a_warning():
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a portrait, Steps: 30, Sampler: Euler a, Seed: 1")
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "PNG", pnginfo=info)
    p = read_provenance(buffer.getvalue(), "image")
    assert p.metadata.generator_keys == ["parameters"]
    finding = by_code(p)["generator_record"]
    assert finding.level == "warning" and "Stable Diffusion" in finding.text


def test_iptc_iim_of_a_jpeg_is_read():
    def dataset(record, tag, value: bytes) -> bytes:
        return b"\x1c" + bytes([record, tag]) + struct.pack(">H", len(value)) + value

    iim = dataset(2, 65, b"Some Editor") + dataset(2, 55, b"20230405")
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    resource += iim + (b"\x00" if len(iim) % 2 else b"")
    app13 = b"Photoshop 3.0\x00" + resource
    plain = jpeg()
    data = plain[:2] + b"\xff\xed" + struct.pack(">H", len(app13) + 2) + app13 + plain[2:]
    p = read_provenance(data, "image")
    assert "IPTC" in p.metadata.sources
    assert p.metadata.software == "Some Editor"
    assert p.metadata.captured_at == "2023-04-05"


def test_video_container_tags(tmp_path):
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w", format="mp4") as container:
        container.metadata["creation_time"] = "2021-03-04T05:06:07.000000Z"
        container.metadata["location"] = "+52.5200+013.4050/"
        stream = container.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(
                np.full((32, 32, 3), i * 60, np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    p = read_provenance(path, "video")
    assert p.media_kind == "video"
    assert p.metadata.sources == ["container"]
    assert p.metadata.encoder.startswith("Lavf")
    assert p.metadata.created_at.startswith("2021-03-04T05:06:07")
    assert p.metadata.gps_present
    found = by_code(p)
    assert "FFmpeg" in found["encoder"].text
    assert "no_credentials" in found
    assert p.to_dict()["metadata"]["encoder"] == p.metadata.encoder


def test_a_video_pyav_cannot_open_is_a_finding_not_an_error(tmp_path):
    path = tmp_path / "junk.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 50)
    p = read_provenance(path, "video")
    assert "metadata_unreadable" in by_code(p)


# hostile metadata: every case is read without an exception, and says what it could not read


def truncated_exif_jpeg() -> bytes:
    data = jpeg(camera_exif(software="x" * 500))
    start = data.find(b"Exif\x00\x00")
    # the APP1 segment keeps its length, but the IFD offsets now point past its end
    body = bytearray(data)
    body[start + 6 + 4 : start + 6 + 8] = struct.pack("<I", 0xFFFFFF00)
    return bytes(body)


def exif_with_a_loop() -> bytes:
    exif = camera_exif()
    exif.get_ifd(0x8769)[0x8769] = 26  # an Exif IFD that points at itself
    return jpeg(exif)


def huge_strings_jpeg() -> bytes:
    exif = camera_exif(
        make="M" * 20_000, model="\u202eledom\x00\x07" * 1000, software="S" * 20_000
    )  # a JPEG's EXIF holds 64 KiB at most
    packet = xmp_packet(**{"xmp:CreatorTool": "C" * 1500})
    return jpeg(exif, xmp=packet)


def exif_bytes_cut(data: bytes) -> bytes:
    start = data.find(b"Exif\x00\x00")
    return data[: start + 30]  # the file ends inside the EXIF block


HOSTILE = {
    "truncated_exif": truncated_exif_jpeg,
    "exif_loop": exif_with_a_loop,
    "huge_strings": huge_strings_jpeg,
    "file_cut_inside_exif": lambda: exif_bytes_cut(jpeg(camera_exif())),
    "garbage": lambda: b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00" + bytes(range(256)) * 4,
    "xmp_entity_bomb": lambda: jpeg(
        xmp=b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<x>&b;&b;&b;</x>" * 100
    ),
    "empty": lambda: b"",
    "not_an_image": lambda: b"hello, I am text",
}


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_metadata_never_raises(make):
    p = read_provenance(make(), "image")
    assert p.findings
    for f in p.findings:
        assert len(f.text) < 400
        assert "\x00" not in f.text and "\u202e" not in f.text
    m = p.metadata
    for value in (m.camera_make, m.camera_model, m.software, m.captured_at, m.modified_at):
        assert value is None or len(value) <= 120


def test_hostile_video_bytes_never_raise():
    for data in (b"", b"RIFF\x00\x00\x00\x00AVI " + b"\xff" * 100, b"\x1aE\xdf\xa3" * 10):
        assert read_provenance(data, "video").findings


def test_truncated_exif_says_it_could_not_be_read():
    found = by_code(read_provenance(truncated_exif_jpeg(), "image"))
    assert "EXIF" in found["metadata_unreadable"].text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Midjourney", "Midjourney"),
        ("DALL-E 3", "DALL-E"),
        ("ComfyUI", "ComfyUI"),
        ("Stable Diffusion XL", "Stable Diffusion"),
        ("Microsoft Designer", "Designer"),
        ("Adobe Photoshop 25.0", None),
        ("Designer Studio Pro", None),
        ("GIMP 2.10", None),
        ("Fluxus Editor", None),
        ("", None),
    ],
)
def test_ai_generator_names(text, name):
    assert names_ai_generator(text) == name


def test_safe_text_bounds_and_cleans():
    assert safe_text("a\x00b\u202ec\n d") == "abc d"
    assert len(safe_text("x" * 10_000)) == 120
    assert safe_text(b"\xff\xfecam") == "\ufffd\ufffdcam"
    assert safe_text("  \x00 ") is None


def test_parse_date():
    assert parse_date("2024-05-01T10:00:00").day == 1
    assert parse_date("2024-05-01T10:00:00+02:00").hour == 10
    assert parse_date("0000-00-00T00:00:00") is None
    assert parse_date("yesterday") is None
