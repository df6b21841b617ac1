"""Provenance in the API: every photo and video result carries it, the history keeps it, and
it never changes the verdict."""

from __future__ import annotations

import struct

import pytest

from tests.faceproof.provenance_files import camera_exif, signed, tampered
from tests.faceproof.provenance_files import test_signer as signing_keys


def _post_image(client, data: bytes, filename: str = "photo.jpg"):
    return client.post("/api/predict", files={"file": (filename, data, "image/jpeg")})


def _post_video(client, data: bytes, frames: int = 2):
    return client.post(
        "/api/predict/video",
        params={"frames": frames},
        files={"file": ("clip.avi", data, "video/x-msvideo")},
    )


def _codes(body: dict) -> set[str]:
    return {f["code"] for f in body["provenance"]["findings"]}


def test_a_photo_without_credentials_says_so(client, face_jpeg) -> None:
    body = _post_image(client, face_jpeg).json()

    provenance = body["provenance"]
    assert provenance["media_kind"] == "image"
    assert provenance["content_credentials"]["status"] == "absent"
    assert "no_credentials" in _codes(body)
    assert "never changes" in provenance["note"]


def test_ai_credentials_do_not_change_the_verdict(client, face_jpeg) -> None:
    plain = _post_image(client, face_jpeg).json()
    ai = _post_image(client, signed(face_jpeg, source_type="trainedAlgorithmicMedia")).json()

    credentials = ai["provenance"]["content_credentials"]
    assert credentials["status"] == "untrusted"  # intact; the test CA is on no trust list
    assert credentials["ai_generated"] is True
    assert "credentials_ai_generated" in _codes(ai)
    # the same pixels: the same verdict, whatever the file says about itself
    for key in ("prediction", "fake_probability", "confidence"):
        assert ai[key] == plain[key]


def test_a_configured_trust_list_confirms_the_signer(make_client, face_jpeg, tmp_path) -> None:
    anchors = tmp_path / "trust.pem"
    anchors.write_bytes(signing_keys().ca_pem)
    client = make_client(C2PA_TRUST_ANCHORS=anchors)
    body = _post_image(client, signed(face_jpeg)).json()
    assert body["provenance"]["content_credentials"]["status"] == "valid"
    assert "credentials_valid" in _codes(body)


@pytest.mark.parametrize("content", [None, b"not a certificate"])
def test_a_bad_trust_list_refuses_the_start(make_settings, tmp_path, content) -> None:
    anchors = tmp_path / "trust.pem"
    if content is not None:
        anchors.write_bytes(content)
    with pytest.raises(ValueError, match=r"cannot read|no PEM certificate"):
        make_settings(C2PA_TRUST_ANCHORS=anchors)


def test_tampered_credentials_are_reported(client, face_jpeg) -> None:
    body = _post_image(client, tampered(signed(face_jpeg))).json()

    assert body["provenance"]["content_credentials"]["status"] == "invalid"
    assert "credentials_invalid" in _codes(body)


def test_the_history_keeps_the_provenance(client, face_jpeg) -> None:
    from tests.faceproof.provenance_files import jpeg

    body = _post_image(client, jpeg(camera_exif(software="Midjourney v6"), size=(256, 256))).json()
    item = client.get(f"/api/history/{body['analysis_id']}").json()

    assert item["details"]["provenance"] == body["provenance"]
    assert "ai_software" in _codes(body)


def test_batch_results_carry_provenance(client, face_jpeg) -> None:
    files = [
        ("files", ("a.jpg", face_jpeg, "image/jpeg")),
        ("files", ("b.jpg", signed(face_jpeg), "image/jpeg")),
    ]
    body = client.post("/api/predict/batch", files=files).json()

    statuses = [r["provenance"]["content_credentials"]["status"] for r in body["results"]]
    assert statuses == ["absent", "untrusted"]


def _truncated_exif(face_jpeg: bytes) -> bytes:
    exif = camera_exif(software="S" * 20_000).tobytes()
    exif = exif[: 6 + 4] + struct.pack("<I", 0xFFFFFF00) + exif[6 + 8 :]  # IFD offset: past end
    segment = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    return face_jpeg[:2] + segment + face_jpeg[2:]


@pytest.mark.parametrize("hostile", ["truncated_exif", "huge_strings", "broken_manifest"])
def test_hostile_metadata_is_no_error(client, face_jpeg, hostile) -> None:
    if hostile == "truncated_exif":
        data = _truncated_exif(face_jpeg)
    elif hostile == "huge_strings":
        from tests.faceproof.provenance_files import jpeg

        data = jpeg(camera_exif(make="\u202e" * 10_000, model="M" * 30_000), size=(256, 256))
    else:
        data = bytearray(signed(face_jpeg))
        start = data.find(b"jumb")
        data[start : start + 300] = b"\xff" * 300
        data = bytes(data)

    response = _post_image(client, data)

    assert response.status_code == 200  # the conftest's hook also refuses any 5xx
    assert response.json()["provenance"]["findings"]


def test_a_video_result_carries_provenance(client, face_video) -> None:
    body = _post_video(client, face_video).json()

    provenance = body["provenance"]
    assert provenance["media_kind"] == "video"
    assert provenance["content_credentials"]["status"] in {"absent", "unsupported"}
    item = client.get(f"/api/history/{body['analysis_id']}").json()
    assert item["details"]["provenance"] == provenance


def test_a_signed_video_is_checked_and_keeps_its_verdict(client, face_video) -> None:
    plain = _post_video(client, face_video).json()
    body = _post_video(
        client, signed(face_video, "video/x-msvideo", source_type="trainedAlgorithmicMedia")
    ).json()

    assert body["provenance"]["content_credentials"]["status"] == "untrusted"
    assert body["provenance"]["content_credentials"]["ai_generated"] is True
    assert (body["prediction"], body["fake_probability"]) == (
        plain["prediction"],
        plain["fake_probability"],
    )


def test_a_video_job_result_carries_provenance(client, face_video) -> None:
    import time

    created = client.post(
        "/api/jobs/video",
        params={"frames": 2},
        files={"file": ("clip.avi", face_video, "video/x-msvideo")},
    ).json()
    deadline = time.monotonic() + 20
    while (status := client.get(created["status_url"]).json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline
        time.sleep(0.02)

    assert status["status"] == "done"
    assert status["result"]["provenance"]["media_kind"] == "video"
