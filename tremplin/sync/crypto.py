"""The primitives of the establishment copy's files (docs/sync.md, "File format"), all from the
`cryptography` package: Ed25519 signs a file, X25519 + HKDF-SHA256 + ChaCha20-Poly1305 encrypt it
to the receiver's public key (a fresh ephemeral key per file), scrypt derives the key of a site
file from its installation code."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

INFO = b"tremplin-bundle/1"
RAW = serialization.Encoding.Raw
#: The installation code's alphabet: no 0/O, 1/I/L (read aloud, typed from a sheet of paper).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Refused(Exception):
    """A file that does not verify or decrypt (the message says why, in French)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise Refused("le fichier est altéré (encodage invalide)") from exc


@dataclass(frozen=True)
class KeyPair:
    """A node's two private keys (raw 32 bytes each, base64): one signs, one decrypts."""

    sign: str
    box: str

    @classmethod
    def generate(cls) -> KeyPair:
        sign = Ed25519PrivateKey.generate().private_bytes(
            RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        box = X25519PrivateKey.generate().private_bytes(
            RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return cls(sign=b64(sign), box=b64(box))

    @property
    def public(self) -> PublicKeys:
        sign = Ed25519PrivateKey.from_private_bytes(unb64(self.sign)).public_key()
        box = X25519PrivateKey.from_private_bytes(unb64(self.box)).public_key()
        return PublicKeys(
            sign=b64(sign.public_bytes(RAW, serialization.PublicFormat.Raw)),
            box=b64(box.public_bytes(RAW, serialization.PublicFormat.Raw)),
        )


@dataclass(frozen=True)
class PublicKeys:
    sign: str
    box: str

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the signing key, in groups of four hex digits (read over the phone)."""
        digest = hashlib.sha256(unb64(self.sign)).hexdigest()[:32].upper()
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def sign(keys: KeyPair, message: bytes) -> str:
    return b64(Ed25519PrivateKey.from_private_bytes(unb64(keys.sign)).sign(message))


def verify(public: PublicKeys, message: bytes, signature: str) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public.sign)).verify(unb64(signature), message)
    except (InvalidSignature, ValueError) as exc:
        raise Refused("la signature ne correspond pas : le fichier a été modifié") from exc


def _aead_key(shared: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(shared)


def seal(to: PublicKeys, plaintext: bytes, aad: bytes) -> tuple[str, str, str]:
    """Encrypt to `to`'s X25519 key: (ephemeral public key, nonce, ciphertext), base64."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(unb64(to.box)))
    nonce = os.urandom(12)
    key = _aead_key(shared, ephemeral_public)
    return (
        b64(ephemeral_public),
        b64(nonce),
        b64(ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)),
    )


def unseal(keys: KeyPair, ephemeral: str, nonce: str, ciphertext: str, aad: bytes) -> bytes:
    private = X25519PrivateKey.from_private_bytes(unb64(keys.box))
    ephemeral_public = unb64(ephemeral)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _aead_key(shared, ephemeral_public)
        return ChaCha20Poly1305(key).decrypt(unb64(nonce), unb64(ciphertext), aad)
    except (InvalidTag, ValueError) as exc:
        raise Refused("le fichier ne se déchiffre pas avec la clé de ce site") from exc


def installation_code() -> str:
    """A random code of 24 characters (about 119 bits) in six groups, printed once."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(24))
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def _code_key(code: str, salt: bytes) -> bytes:
    normalised = code.replace("-", "").replace(" ", "").upper().encode("ascii", "replace")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(normalised)


def seal_with_code(code: str, plaintext: bytes, aad: bytes) -> tuple[str, str, str]:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _code_key(code, salt)
    return b64(salt), b64(nonce), b64(ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad))


def unseal_with_code(code: str, salt: str, nonce: str, ciphertext: str, aad: bytes) -> bytes:
    key = _code_key(code, unb64(salt))
    try:
        return ChaCha20Poly1305(key).decrypt(unb64(nonce), unb64(ciphertext), aad)
    except InvalidTag as exc:
        raise Refused("le code d'installation ne correspond pas à ce fichier") from exc
