"""Content Credentials: manifests signed in the test with a throwaway certificate chain."""

from __future__ import annotations

import pytest

from faceproof.provenance import read_provenance
from faceproof.provenance.c2pa_manifest import sniff_mime, summarise
from tests.faceproof.provenance_files import (
    SIGNER_NAME,
    camera_exif,
    jpeg,
    other_ca_pem,
    signed,
    tampered,
)
from tests.faceproof.provenance_files import (
    test_signer as signing_keys,
)


def codes(provenance) -> list[str]:
    return [f.code for f in provenance.findings]


def test_a_file_without_credentials_says_so_plainly():
    p = read_provenance(jpeg(camera_exif()), "image")
    assert p.content_credentials.status == "absent"
    finding = next(f for f in p.findings if f.code == "no_credentials")
    assert finding.level == "info"
    assert "proves nothing" in finding.text


def test_a_signer_under_a_trust_anchor_is_valid():
    anchors = signing_keys().ca_pem.decode()
    p = read_provenance(signed(jpeg()), "image", trust_anchors=anchors)
    assert p.content_credentials.status == "valid"
    assert "credentials_valid" in {f.code for f in p.findings}
    # a tampered file stays invalid whoever signed it
    bad = read_provenance(tampered(signed(jpeg())), "image", trust_anchors=anchors)
    assert bad.content_credentials.status == "invalid"


def test_a_signer_under_another_anchor_is_still_unconfirmed():
    other = other_ca_pem()
    p = read_provenance(signed(jpeg()), "image", trust_anchors=other)
    assert p.content_credentials.status == "untrusted"
    assert "credentials_untrusted_signer" in {f.code for f in p.findings}


def test_a_signed_file_names_its_signer_generator_and_actions():
    p = read_provenance(
        signed(jpeg(), action="c2pa.created", source_type="digitalCapture"), "image"
    )
    cc = p.content_credentials
    # the signature checks out; the throwaway CA is on no trust list
    assert cc.status == "untrusted"
    assert cc.validation_errors == []
    assert SIGNER_NAME in cc.signer
    assert cc.claim_generator == "faceproof-tests 1.0"
    assert cc.actions == ["c2pa.created"]
    assert cc.digital_source_types == ["digitalCapture"]
    assert cc.ai_generated is False
    assert "credentials_untrusted_signer" in codes(p)
    assert "credentials_ai_generated" not in codes(p)
    assert "not confirmed" in next(
        f.text for f in p.findings if f.code == "credentials_untrusted_signer"
    )


@pytest.mark.parametrize(
    "source_type", ["trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"]
)
def test_an_ai_generation_assertion_is_a_warning(source_type):
    p = read_provenance(signed(jpeg(), source_type=source_type), "image")
    assert p.content_credentials.ai_generated
    assert p.content_credentials.digital_source_types == [source_type]
    finding = next(f for f in p.findings if f.code == "credentials_ai_generated")
    assert finding.level == "warning"
    assert source_type in finding.text


def test_a_file_changed_after_signing_fails_validation():
    original = signed(jpeg(), source_type="trainedAlgorithmicMedia")
    p = read_provenance(tampered(original), "image")
    cc = p.content_credentials
    assert cc.status == "invalid"
    assert any("mismatch" in e for e in cc.validation_errors)
    finding = next(f for f in p.findings if f.code == "credentials_invalid")
    assert finding.level == "warning"
    assert "after signing" in finding.text


def test_a_signed_png_is_read_too(tmp_path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 30)).save(buffer, "PNG")
    path = tmp_path / "signed.png"
    path.write_bytes(signed(buffer.getvalue(), "image/png", source_type="trainedAlgorithmicMedia"))
    p = read_provenance(path, "image")  # a path works as well as bytes
    assert p.content_credentials.status == "untrusted"
    assert p.content_credentials.ai_generated


def test_a_broken_manifest_is_reported_not_raised():
    data = bytearray(signed(jpeg()))
    start = data.find(b"jumb")
    data[start : start + 400] = bytes(400)  # zero the manifest's boxes
    p = read_provenance(bytes(data), "image")
    assert p.content_credentials.status in {"unreadable", "invalid", "absent"}
    assert p.findings


def test_a_format_that_cannot_carry_credentials_says_it_was_not_checked():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")
    p = read_provenance(buffer.getvalue(), "image")
    assert p.content_credentials.status == "unsupported"
    assert "credentials_not_checked" in codes(p)


def test_the_verdict_of_the_validator_maps_to_a_status():
    trusted = {
        "active_manifest": "m",
        "manifests": {"m": {"assertions": []}},
        "validation_state": "Trusted",
    }
    assert summarise(trusted).status == "valid"
    assert summarise({**trusted, "validation_state": "Invalid"}).status == "invalid"
    # no active manifest: nothing to vouch for the file
    assert summarise({"manifests": {}, "validation_state": "Valid"}).status == "invalid"
    # hostile JSON shapes are not trusted either
    odd = {"active_manifest": ["x"], "manifests": [1, 2], "validation_status": "nope"}
    assert summarise(odd).status == "invalid"


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBP", "image/webp"),
        (b"RIFF\x00\x00\x00\x00AVI ", "video/x-msvideo"),
        (b"\x00\x00\x00\x18ftypisom", "video/mp4"),
        (b"\x00\x00\x00\x18ftypqt  ", "video/quicktime"),
        (b"\x1aE\xdf\xa3", None),  # Matroska / WebM
        (b"BM", None),
    ],
)
def test_formats_are_told_from_their_first_bytes(head, mime):
    assert sniff_mime(head) == mime
