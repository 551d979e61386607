"""The file format of the establishment copy (docs/sync.md, "File format"): one UTF-8 JSON
document, readable by another implementation with any Ed25519/X25519/ChaCha20-Poly1305 library.

    {"format": "tremplin-bundle/1",
     "header": {...},             # plaintext: who to whom, numbers, encryption parameters
     "ciphertext": "<base64>",    # gzip(JSON payload), encrypted with the header as AAD
     "signature": "<base64>"}     # Ed25519 over canonical(header) + "." + ciphertext

`canonical(header)` is the header's JSON with sorted keys, no spaces, UTF-8. A bundle's
signature is checked before anything is decrypted; the AEAD binds the header to the ciphertext.
A site file is authenticated by its installation code (the AEAD's key): it carries the centre's
public key, whose fingerprint must be the header's signer and which must verify its signature."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

from . import crypto
from .crypto import Refused

FORMAT = "tremplin-bundle/1"
#: The two kinds of file: a copy's installation file and a bundle of changes.
SITE, BUNDLE = "site", "bundle"
MAX_BYTES = 512 * 1024 * 1024


def canonical(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pack(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=6, mtime=0)


def unpack(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(gzip.decompress(data))
    except (OSError, ValueError) as exc:
        raise Refused("le contenu du fichier est illisible") from exc
    if not isinstance(document, dict):
        raise Refused("le contenu du fichier est illisible")
    return document


@dataclass(frozen=True)
class Envelope:
    header: dict[str, Any]
    ciphertext: str
    signature: str

    def signed_bytes(self) -> bytes:
        return canonical(self.header) + b"." + self.ciphertext.encode("ascii")

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "header": self.header,
            "ciphertext": self.ciphertext,
            "signature": self.signature,
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode()

    @classmethod
    def parse(cls, data: bytes) -> Envelope:
        if len(data) > MAX_BYTES:
            raise Refused("le fichier dépasse 512 Mo")
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused("ce n'est pas un fichier de synchronisation Tremplin") from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise Refused("ce n'est pas un fichier de synchronisation Tremplin (format inconnu)")
        header, ciphertext, signature = (
            document.get("header"),
            document.get("ciphertext"),
            document.get("signature"),
        )
        if not (
            isinstance(header, dict)
            and isinstance(ciphertext, str)
            and isinstance(signature, str)
            and header.get("kind") in (SITE, BUNDLE)
        ):
            raise Refused("le fichier est incomplet ou altéré")
        return cls(header=header, ciphertext=ciphertext, signature=signature)


def seal_to(
    header: dict[str, Any], payload: dict[str, Any], sender: crypto.KeyPair, to: crypto.PublicKeys
) -> Envelope:
    """A bundle: encrypted to `to`, signed by `sender`."""
    header = {**header, "signer": sender.public.fingerprint}
    # The AAD is the header without its encryption parameters (they are known once sealed);
    # the signature covers the whole header, those parameters included.
    ephemeral, nonce, ciphertext = crypto.seal(to, pack(payload), canonical(header))
    header = {**header, "encryption": _x25519(ephemeral, nonce)}
    envelope = Envelope(header=header, ciphertext=ciphertext, signature="")
    return Envelope(header, ciphertext, crypto.sign(sender, envelope.signed_bytes()))


def _x25519(ephemeral: str, nonce: str) -> dict[str, str]:
    return {"alg": "X25519-HKDF-SHA256-ChaCha20Poly1305", "ephemeral": ephemeral, "nonce": nonce}


def open_from(
    envelope: Envelope, sender: crypto.PublicKeys, keys: crypto.KeyPair
) -> dict[str, Any]:
    """Verify the signature by `sender`, then decrypt with `keys`."""
    crypto.verify(sender, envelope.signed_bytes(), envelope.signature)
    encryption = envelope.header.get("encryption")
    if not isinstance(encryption, dict) or encryption.get("alg") != _x25519("", "")["alg"]:
        raise Refused("chiffrement inconnu")
    aad_header = {k: v for k, v in envelope.header.items() if k != "encryption"}
    plaintext = crypto.unseal(
        keys,
        str(encryption.get("ephemeral", "")),
        str(encryption.get("nonce", "")),
        envelope.ciphertext,
        canonical(aad_header),
    )
    return unpack(plaintext)


def seal_site(
    header: dict[str, Any], payload: dict[str, Any], code: str, signer: crypto.KeyPair
) -> Envelope:
    """A site file: encrypted with a key derived from its installation code, signed by the
    centre (the copy keeps the centre's public key from inside it)."""
    header = {**header, "signer": signer.public.fingerprint}
    salt, nonce, ciphertext = crypto.seal_with_code(code, pack(payload), canonical(header))
    header = {
        **header,
        "encryption": {"alg": "scrypt-ChaCha20Poly1305", "salt": salt, "nonce": nonce},
    }
    envelope = Envelope(header=header, ciphertext=ciphertext, signature="")
    return Envelope(header, ciphertext, crypto.sign(signer, envelope.signed_bytes()))


def open_site(envelope: Envelope, code: str) -> dict[str, Any]:
    encryption = envelope.header.get("encryption")
    if envelope.header.get("kind") != SITE or not isinstance(encryption, dict):
        raise Refused("ce fichier n'est pas un fichier d'installation de copie")
    aad_header = {k: v for k, v in envelope.header.items() if k != "encryption"}
    payload = unpack(
        crypto.unseal_with_code(
            code,
            str(encryption.get("salt", "")),
            str(encryption.get("nonce", "")),
            envelope.ciphertext,
            canonical(aad_header),
        )
    )
    centre = payload.get("centre")
    if not isinstance(centre, dict):
        raise Refused("le fichier d'installation est incomplet")
    centre_keys = crypto.PublicKeys(
        sign=str(centre.get("sign", "")), box=str(centre.get("box", ""))
    )
    if envelope.header.get("signer") != centre_keys.fingerprint:
        raise Refused("le fichier n'est pas signé par la clé du centre qu'il contient")
    crypto.verify(centre_keys, envelope.signed_bytes(), envelope.signature)
    return payload
