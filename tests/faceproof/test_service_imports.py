"""The service never imports matplotlib: it is a training-time dependency (reports, plots),
and the service image and start-up must not pay for it. Checked in a fresh interpreter that
builds the app, runs its start-up and answers one prediction with Grad-CAM."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path

    from fastapi.testclient import TestClient

    import backend.main
    from backend.core.settings import Settings

    models, tmp, image = (Path(a) for a in sys.argv[1:4])
    settings = Settings(_env_file=None, MODELS_DIR=models, HISTORY_URL=f"sqlite:///{tmp}/h.db",
                        STATIC_DIR=tmp / "no-build", UPLOADS_DIR=tmp / "uploads",
                        CACHE_DIR=tmp / "cache", TORCH_THREADS=1, RUNTIME="torch")
    with TestClient(backend.main.create_app(settings)) as client:
        response = client.post("/api/predict", data={"explain": "true"},
                               files={"file": ("face.jpg", image.read_bytes(), "image/jpeg")})
        assert response.status_code == 200, response.text
        faces = response.json()["faces"]
        assert faces and all(face["heatmaps"] for face in faces), "no Grad-CAM was made"
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")
    print("MATPLOTLIB:", loaded)
    assert not loaded, loaded
""")


def test_the_service_never_imports_matplotlib(tiny_bundle_dir, astronaut, tmp_path) -> None:
    models = tiny_bundle_dir("plain", input_size=32).parent
    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEPROOF_")}
    env["FACEPROOF_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(models), str(tmp_path), str(image)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MATPLOTLIB: []" in result.stdout
