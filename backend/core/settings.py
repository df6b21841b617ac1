"""Every setting of the service, from the environment (prefix FACEPROOF_) or a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MB = 1024 * 1024


class Settings(BaseSettings):
    """Service settings; each field is read from `FACEPROOF_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="FACEPROOF_", env_file=".env", extra="ignore", case_sensitive=True
    )

    HOST: str = Field("127.0.0.1", description="interface `make run` binds to")
    PORT: int = Field(8000, ge=1, le=65535, description="port `make run` listens on")
    SERVER_LOOP: Literal["auto", "uvloop", "asyncio"] = Field(
        "auto",
        description="uvicorn's event loop; auto: uvloop where it is installed (it ships with "
        "the service), else Python's asyncio",
    )
    SERVER_HTTP: Literal["auto", "httptools", "h11"] = Field(
        "auto",
        description="uvicorn's HTTP/1.1 parser; auto: httptools where it is installed (it "
        "ships with the service), else the pure-Python h11",
    )
    MODELS_DIR: Path = Field(Path("models"), description="folder of model bundles")
    MODELS: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="bundles to load, comma-separated; empty: all"
    )
    ALLOW_MISSING_MODELS: bool = Field(
        False, description="start without a bundle that fails to load instead of refusing"
    )
    FACE_DETECTOR: Literal["haar", "yunet", "dlib"] = Field("haar", description="face detector")
    YUNET_MODEL_PATH: Path | None = Field(None, description="YuNet .onnx file (detector yunet)")
    HAAR_CROP_FIRST: bool = Field(
        True,
        description="haar: search an image of at most 512 px for a face filling it first, "
        "and stop there when one is found (face crops); false: always the full search",
    )
    MAX_FACES: int = Field(16, ge=1, description="faces scored per image at most")
    C2PA_TRUST_ANCHORS: Path | None = Field(
        None,
        description="PEM file of the Content Credentials signing roots to trust (e.g. "
        "the C2PA trust list); unset: an intact manifest's signer is reported unconfirmed",
    )
    MAX_IMAGE_BYTES: int = Field(20 * MB, ge=1, description="largest image upload, bytes")
    MAX_VIDEO_BYTES: int = Field(200 * MB, ge=1, description="largest video upload, bytes")
    MAX_IMAGE_PIXELS: int = Field(40_000_000, ge=1, description="largest image, pixels")
    MAX_BATCH_FILES: int = Field(32, ge=1, description="files per batch request at most")
    MAX_VIDEO_SECONDS: float = Field(300.0, gt=0, description="longest video accepted, s")
    VIDEO_FRAMES: int = Field(32, ge=1, description="frames sampled per video by default")
    MAX_VIDEO_FRAMES: int = Field(128, ge=1, description="frames a request may ask for")
    MAX_VIDEO_FRAME_PIXELS: int = Field(
        1920 * 1080,
        ge=64 * 64,
        description="frames with more pixels (4K, 8K) are downscaled "
        "to this many as they are decoded",
    )
    MAX_VIDEO_TOTAL_PIXELS: int = Field(
        32 * 1920 * 1080,
        ge=64 * 64,
        description="pixels of all frames one video analysis "
        "keeps (about 3 bytes each): asking for more frames makes each smaller",
    )
    HISTORY_URL: str = Field(
        "sqlite:///data/history.db", description="SQLAlchemy URL of the history store"
    )
    HISTORY_ENABLED: bool = Field(
        True,
        description="record each analysis in the history; false: nothing is kept (no "
        "record, no upload, no permalink)",
    )
    HISTORY_RETENTION_DAYS: int = Field(
        0,
        ge=0,
        description="delete analyses and their kept uploads older than this many "
        "days (at start, then hourly); 0: keep them until deleted",
    )
    KEEP_UPLOADS: bool = Field(False, description="keep uploaded media in UPLOADS_DIR")
    UPLOADS_DIR: Path = Field(Path("data/uploads"), description="where kept uploads go")
    JOB_TTL_SECONDS: int = Field(3600, ge=1, description="finished jobs are kept this long")
    MAX_QUEUED_JOBS: int = Field(
        16,
        ge=1,
        description="video jobs queued or running at once; past it 503 "
        "job_queue_full with Retry-After",
    )
    JOB_QUEUE: Literal["memory", "database"] = Field(
        "memory",
        description="where video jobs wait and run: memory (this process's own "
        "worker thread; lost when it stops) or database (a table of the HISTORY_URL database, "
        "seen by every replica, run by `python -m backend.worker` processes)",
    )
    JOB_UPLOADS_DIR: Path = Field(
        Path("data/jobs"),
        description="database queue: where uploads wait for a worker, a "
        "folder every API replica and worker shares",
    )
    JOB_WORKER_IN_API: bool = Field(
        True,
        description="database queue: this API process runs one job worker too; false: "
        "only `python -m backend.worker` processes run jobs",
    )
    JOB_LEASE_SECONDS: float = Field(
        30.0,
        gt=0,
        description="database queue: a worker renews its claim on a job this "
        "often (a third of it); one not renewed for this long is taken as lost",
    )
    JOB_MAX_ATTEMPTS: int = Field(
        2,
        ge=1,
        description="database queue: a job whose worker was lost is tried again "
        "until this many attempts, then failed with worker_lost",
    )
    MAX_VIDEO_TEMP_BYTES: int = Field(
        2048 * MB,
        ge=1,
        description="bytes of video uploads held in temporary files at once "
        "(queued jobs and synchronous videos); past it 503 temp_space_full",
    )
    CORS_ORIGINS: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed by CORS, comma-separated"
    )
    API_KEY: SecretStr | None = Field(
        None, description="when set, every /api route but health and ready needs X-API-Key"
    )
    TORCH_THREADS: int = Field(
        0,
        ge=0,
        description="intra-op threads of a model forward; 0: half the cores (the "
        "other half decodes and finds faces), at least one",
    )
    DEVICE: str = Field(
        "auto",
        pattern=r"^(auto|cpu|cuda(:\d+)?)$",
        description="where the models run: auto (a CUDA GPU when there is "
        "one), cpu, cuda or cuda:N",
    )
    INFERENCE_PRECISION: Literal["auto", "fp32", "bf16", "int8"] = Field(
        "auto",
        description="auto: fp32, or bf16/int8 where the hardware runs it natively (int8: "
        "the bundle has an int8 file) and the bundle's card shows it keeps fp32's answers; or "
        "fp32, bf16, int8 as asked",
    )
    RUNTIME: Literal["auto", "torch", "onnxruntime", "openvino"] = Field(
        "auto",
        description="what runs the models: auto (the fastest verified on this CPU, "
        "measured at the first start and remembered in CACHE_DIR), torch (the reference), "
        "onnxruntime or openvino; Grad-CAM always runs on torch",
    )
    WARM_HEATMAPS: bool = Field(
        True,
        description="build the heatmap (Grad-CAM) models in the background after "
        "start, so the first explained photo does not wait for torch (its memory, about "
        "750 MB here, is then taken at start); false: nothing imports torch until a request "
        "needs it",
    )
    RUN_UNWEIGHTED_MODELS: bool = Field(
        False,
        description="also run, for every request, the models the fitted ensemble "
        "(ensemble.json) gives weight 0: they cannot change a probability or a verdict. "
        "Off: such a model runs only for a request that names it (models=...), and its "
        "runtime starts on that first request",
    )
    CACHE_DIR: Path | None = Field(
        None,
        description="where compiled models and the runtime choice are kept; empty: "
        "$XDG_CACHE_HOME/faceproof or ~/.cache/faceproof",
    )
    INFERENCE_WORKERS: int = Field(
        16,
        ge=1,
        description="threads decoding, detecting and preprocessing requests at once "
        "(the models themselves run one batch at a time)",
    )
    MICRO_BATCHING: bool = Field(
        True, description="run concurrent requests' faces through each model as one batch"
    )
    # 16, not 32: the compiled runtimes keep the buffers of the largest batch they ran (1,818
    # instead of 1,575 MB after batches up to 32), for the same faces per second
    MAX_BATCH: int = Field(
        16,
        ge=1,
        description="faces per model forward at most (1: one by one, the benchmark's reference)",
    )
    BATCH_WAIT_MS: float = Field(
        4.0, ge=0, le=1000, description="how long a micro-batch waits for requests in flight, ms"
    )
    PREPROCESSING: Literal["opencv", "pil"] = Field(
        "opencv", description="opencv (fast) or pil (PIL/torchvision, the benchmark's reference)"
    )
    RATE_LIMIT_PER_MINUTE: int = Field(
        600,
        ge=0,
        description="requests per minute per client IP (health, ready and metrics "
        "exempt); past it 429 rate_limited; 0: no limit",
    )
    STATIC_DIR: Path = Field(Path("frontend/dist"), description="built SPA served at /")
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO")
    LOG_FORMAT: Literal["json", "text"] = Field(
        "json",
        description="logs, one access line per request included: one JSON object per "
        "line (json) or human-readable lines (text)",
    )
    METRICS_ENABLED: bool = Field(
        True,
        description="serve Prometheus metrics at /metrics (not behind API_KEY: for "
        "scrapers on the internal network)",
    )

    @field_validator("MODELS", "CORS_ORIGINS", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("C2PA_TRUST_ANCHORS")
    @classmethod
    def _readable_pem(cls, value: Path | None):
        if value is not None and b"-----BEGIN CERTIFICATE-----" not in _read_or_fail(value):
            raise ValueError(f"{value} holds no PEM certificate")
        return value

    def trust_anchors(self) -> str | None:
        """The trust anchors' PEM text (read once per path)."""
        return None if self.C2PA_TRUST_ANCHORS is None else _pem(self.C2PA_TRUST_ANCHORS)

    @field_validator("API_KEY", mode="before")
    @classmethod
    def _empty_key_is_none(cls, value):
        return None if value in ("", None) else value


def _read_or_fail(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc


@lru_cache(maxsize=4)
def _pem(path: Path) -> str:
    return path.read_text(encoding="ascii", errors="replace")


@lru_cache
def get_settings() -> Settings:
    return Settings()
