"""Throw-away X.509 material for TLS tests: a CA, a server certificate for 127.0.0.1 and client
certificates (signed by the CA, or self-signed and so untrusted), written as PEM files."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_CA_USAGE = x509.KeyUsage(True, False, False, False, False, True, True, False, False)


@dataclass(frozen=True)
class Pem:
    cert: Path
    key: Path
    sha256: str  # fingerprint of the DER certificate


@dataclass(frozen=True)
class TlsFiles:
    ca: Pem
    server: Pem
    client: Pem  # signed by the CA
    stranger: Pem  # self-signed: not trusted


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    folder: Path,
    stem: str,
    subject: str,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None = None,
    *,
    ca: bool = False,
    server: bool = False,
) -> tuple[Pem, x509.Name, ec.EllipticCurvePrivateKey]:
    """A certificate for ``subject`` signed by ``issuer`` (self-signed without one), as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = issuer if issuer else (_name(subject), key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(_CA_USAGE, critical=True)
    if server:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    fingerprint = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return Pem(cert_path, key_path, fingerprint), _name(subject), key


def client_context(files: TlsFiles, cert: Pem | None = None) -> ssl.SSLContext:
    """A client's TLS context trusting the test CA, presenting ``cert`` when given."""
    context = ssl.create_default_context(cafile=str(files.ca.cert))
    if cert is not None:
        context.load_cert_chain(str(cert.cert), str(cert.key))
    return context


def make_tls_files(folder: Path) -> TlsFiles:
    ca, ca_name, ca_key = _certificate(folder, "ca", "Accord Test CA", ca=True)
    server, _, _ = _certificate(folder, "server", "127.0.0.1", (ca_name, ca_key), server=True)
    client, _, _ = _certificate(folder, "partner", "partner-b2b", (ca_name, ca_key))
    stranger, _, _ = _certificate(folder, "stranger", "stranger")
    return TlsFiles(ca, server, client, stranger)
