"""Errors name the file the user sent, never the service's temporary copy (issue 14)."""

from __future__ import annotations


def test_a_video_error_names_the_users_file_not_the_temporary_copy(client, temp_files) -> None:
    response = client.post(
        "/api/predict/video",
        files={"file": ("my holiday.avi", b"no video here\n" * 20, "video/x-msvideo")},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "my holiday.avi" in detail
    assert temp_files[0].name not in detail and "faceproof-" not in detail
