"""What a file says about its own origin: the structures `read_provenance` returns.

Plain dataclasses (the service turns them into its response models): Content Credentials,
a metadata summary, and findings, one line each in plain words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

VERDICT_NOTE = (
    "Provenance is what the file says about itself. It is reported beside the "
    "verdict and never changes it: metadata can be stripped or forged."
)

FindingLevel = Literal["info", "notice", "warning"]
"""info: a plain fact; notice: worth a look; warning: the file itself says it was generated or
altered, or its credentials fail."""

CredentialsStatus = Literal["absent", "valid", "untrusted", "invalid", "unreadable", "unsupported"]
"""absent: no manifest; valid: signed, intact, signer trusted; untrusted: signed and intact,
but the signer is on no trust list known here; invalid: the file or manifest changed after
signing, or the signature is bad; unreadable: a manifest that could not be parsed;
unsupported: a format the reader does not look into."""


@dataclass(frozen=True)
class Finding:
    """One line of the provenance panel.

    Attributes:
        code: Stable machine-readable name (`no_credentials`, `ai_software`, ...).
        level: How much it deserves a look.
        text: One sentence in plain words.
    """

    code: str
    level: FindingLevel
    text: str


@dataclass
class ContentCredentials:
    """A C2PA manifest store, as far as it was read.

    Attributes:
        status: See `CredentialsStatus`.
        signer: The signing certificate's common name (and organisation).
        claim_generator: The program that wrote the manifest.
        signed_at: The signature's time, when the manifest has one.
        actions: Actions of the active manifest (`c2pa.created`, `c2pa.edited`, ...).
        digital_source_types: IPTC digital source types named anywhere in the store (the
            last part of the URI, such as `trainedAlgorithmicMedia`).
        ai_generated: Whether one of those says a trained model generated the content or
            part of it.
        validation_errors: The validator's failure codes (untrusted signer excluded).
    """

    status: CredentialsStatus
    signer: str | None = None
    claim_generator: str | None = None
    signed_at: str | None = None
    actions: list[str] = field(default_factory=list)
    digital_source_types: list[str] = field(default_factory=list)
    ai_generated: bool = False
    validation_errors: list[str] = field(default_factory=list)


@dataclass
class MediaMetadata:
    """A summary of EXIF / XMP / IPTC (images) or the container's tags (videos).

    Attributes:
        sources: The metadata blocks found (`EXIF`, `XMP`, `IPTC`, `PNG text`, `container`).
        camera_make: Camera maker.
        camera_model: Camera model.
        software: The program that last wrote the file, as it says.
        captured_at: When the picture was taken (EXIF DateTimeOriginal or XMP/IPTC), as
            written, ISO-like.
        modified_at: When the file was last changed (EXIF DateTime, XMP ModifyDate).
        gps_present: Whether a location is recorded (never its value).
        encoder: Video only: the container's encoder tag.
        created_at: Video only: the container's creation time.
        digital_source_type: The IPTC digital source type written in XMP, if any.
        generator_keys: PNG text keys that image generators write (`parameters`, ...).
    """

    sources: list[str] = field(default_factory=list)
    camera_make: str | None = None
    camera_model: str | None = None
    software: str | None = None
    captured_at: str | None = None
    modified_at: str | None = None
    gps_present: bool = False
    encoder: str | None = None
    created_at: str | None = None
    digital_source_type: str | None = None
    generator_keys: list[str] = field(default_factory=list)


@dataclass
class Provenance:
    """Everything read about a file's origin, and the findings drawn from it."""

    media_kind: Literal["image", "video"]
    content_credentials: ContentCredentials
    metadata: MediaMetadata
    findings: list[Finding]
    note: str = VERDICT_NOTE

    def to_dict(self) -> dict:
        """JSON-ready (for the history record and the CLI)."""
        return asdict(self)
