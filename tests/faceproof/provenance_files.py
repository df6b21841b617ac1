"""Files with provenance, made by the tests: EXIF written with Pillow, and C2PA manifests
signed with a throwaway certificate chain (a CA and a signing leaf; C2PA refuses to sign with
a self-signed certificate).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SIGNER_NAME = "FaceProof test signer"
SIGNER_ORG = "FaceProof tests"


def jpeg(exif: Image.Exif | None = None, size: tuple[int, int] = (64, 48), **save) -> bytes:
    buffer = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (150, 110, 90)).save(buffer, "JPEG", **extra, **save)
    return buffer.getvalue()


def camera_exif(
    *,
    make="Canon",
    model="EOS R5",
    software=None,
    taken="2024:05:01 10:00:00",
    modified=None,
    gps=False,
) -> Image.Exif:
    exif = Image.Exif()
    exif[271], exif[272] = make, model
    if software:
        exif[305] = software
    if modified:
        exif[306] = modified
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0)})
    return exif


@dataclass(frozen=True)
class TestSigner:
    chain_pem: bytes  # the leaf, then the CA
    key_pem: bytes
    ca_pem: bytes  # the CA alone: a trust anchor for the test's signatures


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SIGNER_ORG),
        ]
    )


def _usage(**on) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    return x509.KeyUsage(**{**flags, **on})


def _make_ca(common: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A throwaway CA certificate, valid from yesterday for a week, and its key."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return ca, ca_key


def other_ca_pem() -> str:
    """A CA that signed nothing here: trusting it confirms no test signature."""
    return _make_ca("Some other CA")[0].public_bytes(serialization.Encoding.PEM).decode()


@cache
def test_signer() -> TestSigner:
    """A CA and a leaf with what C2PA's certificate profile asks of a signer."""
    now = dt.datetime.now(dt.UTC)
    ca, ca_key = _make_ca("FaceProof test CA")
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_NAME))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return TestSigner(
        chain_pem=leaf.public_bytes(pem) + ca.public_bytes(pem),
        key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        ca_pem=ca.public_bytes(pem),
    )


def signed(
    asset: bytes,
    mime: str = "image/jpeg",
    *,
    source_type: str | None = "digitalCapture",
    action: str = "c2pa.created",
) -> bytes:
    """`asset` with a C2PA manifest signed by `test_signer()`, recording `action` (with the
    IPTC digital source type `source_type`, such as `trainedAlgorithmicMedia`)."""
    entry = {"action": action}
    if source_type:
        entry["digitalSourceType"] = IPTC + source_type
    manifest = {
        "claim_generator_info": [{"name": "faceproof-tests", "version": "1.0"}],
        "title": "test asset",
        "format": mime,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [entry]}}],
    }
    keys = test_signer()
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, keys.chain_pem, keys.key_pem, None)
    )
    out = io.BytesIO()
    with signer, c2pa.Builder(manifest) as builder:
        builder.sign(signer, mime, io.BytesIO(asset), out)
    return out.getvalue()


def tampered(signed_jpeg: bytes) -> bytes:
    """A signed JPEG with one byte of its image data changed after signing."""
    data = bytearray(signed_jpeg)
    data[-100] ^= 0xFF  # in the entropy-coded data, before the EOI marker
    return bytes(data)
