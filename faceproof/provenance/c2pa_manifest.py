"""Content Credentials (C2PA): read and validate a file's manifest store with c2pa-python.

The reader never reaches the network: remote manifests and OCSP are not fetched (an upload
must not make the service call a URL of its choosing). Without trust anchors (PEM
certificates of the signing roots a newsroom trusts, such as the C2PA trust list, passed as
`trust_anchors`) a signature that checks out still names an "untrusted" signer: the manifest
is intact, but who signed it is not confirmed. With them, a signer that chains to one of
them is "valid".
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import BinaryIO

from faceproof.provenance.generators import describe_source_type, source_type_code
from faceproof.provenance.report import ContentCredentials, CredentialsStatus, Finding
from faceproof.provenance.safe_text import MAX_ITEMS, safe_text

log = logging.getLogger("faceproof.provenance")

UNTRUSTED_CODES = {"signingCredential.untrusted"}
_OFFLINE = {"remote_manifest_fetch": False, "ocsp_fetch": False}


def reader_settings(trust_anchors: str | None = None) -> dict:
    """The reader's settings: never online; the trust anchors' PEM text when given."""
    if not trust_anchors:
        return {"verify": dict(_OFFLINE)}
    return {"verify": {**_OFFLINE, "verify_trust": True}, "trust": {"trust_anchors": trust_anchors}}


def sniff_mime(head: bytes) -> str | None:
    """The MIME type the C2PA reader wants, from a file's first bytes; None for formats that
    cannot carry a manifest (or that the reader does not look into: BMP, MKV, WebM...)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heif"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    return None


def read_content_credentials(
    source: bytes | Path, trust_anchors: str | None = None
) -> tuple[ContentCredentials, list[Finding]]:
    """The manifest store of `source` (the file's bytes, or its path), and its findings;
    signers are checked against `trust_anchors` (PEM text) when given.

    Never raises: a manifest that cannot be read is reported as `unreadable`.
    """
    try:
        with _open(source) as stream:
            mime = sniff_mime(stream.read(16))
            stream.seek(0)
            if mime is None:
                return ContentCredentials(status="unsupported"), [
                    Finding(
                        "credentials_not_checked",
                        "info",
                        "This file format cannot carry Content Credentials, so none were looked "
                        "for.",
                    )
                ]
            store = _read_store(stream, mime, trust_anchors)
    except Exception as exc:  # the native reader's errors, or anything a hostile file causes
        log.info("Content Credentials unreadable: %s", exc)
        return ContentCredentials(status="unreadable"), [
            Finding(
                "credentials_unreadable",
                "notice",
                "The file has something that looks like Content Credentials, but it could not be "
                "read (damaged or malformed).",
            )
        ]
    if store is None:
        return ContentCredentials(status="absent"), [
            Finding(
                "no_credentials",
                "info",
                "No Content Credentials (C2PA) in this file; that is common and proves nothing.",
            )
        ]
    credentials = summarise(store)
    return credentials, credential_findings(credentials)


def _open(source: bytes | Path) -> BinaryIO:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    return Path(source).open("rb")


def _read_store(stream: BinaryIO, mime: str, trust_anchors: str | None) -> dict | None:
    import c2pa  # imported here: a native library the rest of the core does not need

    context = c2pa.Context(c2pa.Settings.from_dict(reader_settings(trust_anchors)))
    try:
        reader = c2pa.Reader.try_create(mime, stream, None, context)
        if reader is None:
            return None
        with reader:
            return json.loads(reader.json())
    finally:
        context.close()


def summarise(store: dict) -> ContentCredentials:
    """A `ContentCredentials` from the manifest store's JSON (as `Reader.json()` gives it)."""
    manifests = store.get("manifests") or {}
    if not isinstance(manifests, dict):
        manifests = {}
    label = store.get("active_manifest")
    active = manifests.get(label) if isinstance(label, str) else None
    if not isinstance(active, dict):
        active = {}
    failures = [_code(s) for s in _list(store.get("validation_status"))]
    results = store.get("validation_results")
    if isinstance(results, dict) and isinstance(results.get("activeManifest"), dict):
        failures += [_code(s) for s in _list(results["activeManifest"].get("failure"))]
    failures = list(dict.fromkeys(c for c in failures if c))
    errors = [c for c in failures if c not in UNTRUSTED_CODES]
    state = str(store.get("validation_state") or "")
    status: CredentialsStatus
    if errors or state == "Invalid" or not active:
        status = "invalid"
    elif state == "Trusted":
        status = "valid"
    elif any(c in UNTRUSTED_CODES for c in failures) or state != "Valid":
        status = "untrusted"
    else:
        status = "valid"

    signature_info = active.get("signature_info")
    signature = signature_info if isinstance(signature_info, dict) else {}
    source_types = []
    for manifest in manifests.values():
        for action in _actions(manifest):
            if action.get("digitalSourceType"):
                source_types.append(source_type_code(str(action["digitalSourceType"])))
        for assertion in _list(manifest.get("assertions") if isinstance(manifest, dict) else None):
            data = assertion.get("data") if isinstance(assertion, dict) else None
            if isinstance(data, dict) and data.get("digitalSourceType"):
                source_types.append(source_type_code(str(data["digitalSourceType"])))
    source_types = [t for t in (safe_text(t, 60) for t in dict.fromkeys(source_types)) if t]
    return ContentCredentials(
        status=status,
        signer=_signer(signature),
        claim_generator=_claim_generator(active),
        signed_at=safe_text(signature.get("time"), 40),
        actions=[a for a in (safe_text(x.get("action"), 60) for x in _actions(active)) if a][
            :MAX_ITEMS
        ],
        digital_source_types=source_types[:MAX_ITEMS],
        ai_generated=any(describe_source_type(t)[1] for t in source_types),
        validation_errors=[t for t in (safe_text(c, 80) for c in errors) if t][:MAX_ITEMS],
    )


def credential_findings(cc: ContentCredentials) -> list[Finding]:
    """The panel's lines about a manifest store that was read."""
    by = f" signed by {cc.signer}" if cc.signer else ""
    tool = f", written by {cc.claim_generator}" if cc.claim_generator else ""
    findings = []
    if cc.status == "valid":
        findings.append(
            Finding(
                "credentials_valid",
                "info",
                f"Content Credentials{by}{tool}: the signature is valid and matches the file.",
            )
        )
    elif cc.status == "untrusted":
        findings.append(
            Finding(
                "credentials_untrusted_signer",
                "notice",
                f"Content Credentials{by}{tool}: the signature matches the "
                "file, but the signer is on no trust list this service "
                "was given, so who signed it is not confirmed.",
            )
        )
    else:
        why = f" ({', '.join(cc.validation_errors[:3])})" if cc.validation_errors else ""
        findings.append(
            Finding(
                "credentials_invalid",
                "warning",
                f"Content Credentials{by} do not validate{why}: the file or "
                "its credentials were changed after signing, or the "
                "signature is bad.",
            )
        )
    if cc.actions:
        words = ", ".join(a.removeprefix("c2pa.").replace("_", " ") for a in cc.actions[:8])
        findings.append(
            Finding("credentials_actions", "info", f"Recorded in the credentials: {words}.")
        )
    for code in cc.digital_source_types:
        words, by_ai = describe_source_type(code)
        if by_ai:
            findings.append(
                Finding(
                    "credentials_ai_generated",
                    "warning",
                    f"The Content Credentials say this was {words} ({code}).",
                )
            )
    return findings


def _list(value) -> list:
    return value[:1000] if isinstance(value, list) else []


def _code(status) -> str | None:
    return str(status.get("code")) if isinstance(status, dict) and status.get("code") else None


def _actions(manifest) -> list[dict]:
    if not isinstance(manifest, dict):
        return []
    actions = []
    for assertion in _list(manifest.get("assertions")):
        if (
            isinstance(assertion, dict)
            and str(assertion.get("label", "")).startswith("c2pa.actions")
            and isinstance(assertion.get("data"), dict)
        ):
            actions += [a for a in _list(assertion["data"].get("actions")) if isinstance(a, dict)]
    return actions


def _signer(signature: dict) -> str | None:
    name = safe_text(signature.get("common_name"), 80)
    issuer = safe_text(signature.get("issuer"), 80)
    if name and issuer and issuer != name:
        return f"{name} ({issuer})"
    return name or issuer


def _claim_generator(manifest: dict) -> str | None:
    info = _list(manifest.get("claim_generator_info"))
    if info and isinstance(info[0], dict) and info[0].get("name"):
        version = safe_text(info[0].get("version"), 30)
        name = safe_text(info[0]["name"], 80)
        return f"{name} {version}" if name and version else name
    return safe_text(manifest.get("claim_generator"), 80)
