"""字段加密: field-level encryption, blind indexes and digests for personal data.

Personal data such as ID numbers and mobile numbers is stored encrypted, column by column. The
configuration is read from Django settings on every call, so tests and key rotation need no restart:

``GONGZHI_DATA_KEY``
    The data key, a high-entropy secret string. A base64 (or base64url) text of exactly 32 bytes is
    decoded and its bytes are used; any other string is used as its UTF-8 bytes. HKDF is not a password
    hash, so do not use a memorable password; ``generate_data_key()`` makes a suitable key.
``GONGZHI_FIELD_CIPHER``
    ``"aes-256-gcm"`` (default) or ``"sm4-gcm"`` (国密 SM4). Decides how *new* values are encrypted and
    whether blind indexes use HMAC-SHA256 or HMAC-SM3. Existing tokens name their own cipher, so values
    written under the other cipher still decrypt after a switch.
``GONGZHI_OLD_DATA_KEYS``
    Optional list of previous data keys. They are tried for decryption only; new values always use
    ``GONGZHI_DATA_KEY``.

Keys. Every data key is turned into sub-keys with HKDF-SHA256 (fixed salt, one ``info`` label per
purpose): a 32-byte AES key, a 16-byte SM4 key, one HMAC key per blind-index hash, and key-id material.
The key id is the first 8 hex characters of the SHA-256 of that key-id material, so it names the data key
without revealing anything useful about the encryption keys.

Token format (ASCII, safe for any text column)::

    v1:<cipher>:<key id>:<base64url(nonce || ciphertext || tag), unpadded>

``<cipher>`` is ``a256`` (AES-256-GCM) or ``sm4`` (SM4-GCM), the nonce is 12 random bytes and the tag 16
bytes. The associated data authenticated with each value is ``gongzhi|v1|<cipher>|<key id>|<aad>``,
where ``aad`` names the column (``"people.Resident.id_number"``): a token copied into another column,
or edited in any way, fails to decrypt.

Rotation. Put the old key into ``GONGZHI_OLD_DATA_KEYS`` and the new one into ``GONGZHI_DATA_KEY``;
reads keep working and writes use the new key. ``needs_reencryption()`` tells which stored tokens a
re-encryption job still has to rewrite. Blind indexes depend on the current key (and on the cipher
setting), so they must be recomputed whenever either changes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, overload

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "CIPHER_AES_256_GCM",
    "CIPHER_SM4_GCM",
    "DEFAULT_CIPHER",
    "CryptoConfig",
    "DecryptionError",
    "blind_index",
    "decrypt",
    "digest",
    "encrypt",
    "generate_data_key",
    "get_config",
    "is_token",
    "needs_reencryption",
]

CIPHER_AES_256_GCM: Final = "aes-256-gcm"
CIPHER_SM4_GCM: Final = "sm4-gcm"
DEFAULT_CIPHER: Final = CIPHER_AES_256_GCM

_VERSION: Final = "v1"
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_BLIND_INDEX_HEX_CHARS: Final = 32
_HKDF_SALT: Final = b"gongzhi/field-crypto"
_TOKEN_RE: Final = re.compile(r"v1:(a256|sm4):([0-9a-f]{8}):([A-Za-z0-9_-]{38,})")
_BASE64_KEY_RE: Final = re.compile(r"[A-Za-z0-9+/_-]{43}=?")

DigestAlgorithm = Literal["sha256", "sm3"]


class DecryptionError(Exception):
    """A token could not be decrypted: altered, written for another column, or its key is unknown.

    The message is for logs only; it never contains plaintext or key material.
    """


@dataclass(frozen=True, slots=True)
class _CipherSpec:
    name: str
    short: str
    key_length: int
    blind_index_hash: DigestAlgorithm


_CIPHER_SPECS: Final = (
    _CipherSpec(name=CIPHER_AES_256_GCM, short="a256", key_length=32, blind_index_hash="sha256"),
    _CipherSpec(name=CIPHER_SM4_GCM, short="sm4", key_length=16, blind_index_hash="sm3"),
)
_CIPHERS_BY_NAME: Final = {spec.name: spec for spec in _CIPHER_SPECS}
_CIPHERS_BY_SHORT: Final = {spec.short: spec for spec in _CIPHER_SPECS}


@dataclass(frozen=True, slots=True)
class CryptoConfig:
    """The crypto settings in one value; ``get_config()`` builds it from Django settings.

    Pass one explicitly (``config=``) to use this module outside a configured Django project.
    The keys are left out of ``repr()`` so they do not end up in logs or tracebacks.
    """

    data_key: str = field(repr=False)
    cipher: str = DEFAULT_CIPHER
    old_data_keys: tuple[str, ...] = field(default=(), repr=False)


def get_config() -> CryptoConfig:
    """Read ``GONGZHI_DATA_KEY``, ``GONGZHI_FIELD_CIPHER`` and ``GONGZHI_OLD_DATA_KEYS`` now."""
    data_key = getattr(settings, "GONGZHI_DATA_KEY", None)
    cipher = getattr(settings, "GONGZHI_FIELD_CIPHER", None) or DEFAULT_CIPHER
    old_keys = getattr(settings, "GONGZHI_OLD_DATA_KEYS", None) or ()
    if not isinstance(old_keys, (list, tuple)):
        raise ImproperlyConfigured("GONGZHI_OLD_DATA_KEYS must be a list of key strings.")
    return CryptoConfig(data_key=data_key, cipher=cipher, old_data_keys=tuple(old_keys))


def generate_data_key() -> str:
    """Return a new random data key (base64 of 32 bytes) for ``GONGZHI_DATA_KEY``."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


# --- keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MasterKey:
    key_id: str
    material: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class _Keyring:
    cipher: _CipherSpec
    current: _MasterKey
    by_id: dict[str, tuple[_MasterKey, ...]]


class _Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes) -> bytes: ...


class _SM4GCM:
    """SM4-GCM with the same interface as ``AESGCM`` (the tag is appended to the ciphertext)."""

    __slots__ = ("_algorithm",)

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes) -> bytes:
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated_data)
        ciphertext = encryptor.update(data) + encryptor.finalize()
        return ciphertext + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes) -> bytes:
        if len(data) < _TAG_BYTES:
            raise InvalidTag
        ciphertext, tag = data[:-_TAG_BYTES], data[-_TAG_BYTES:]
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated_data)
        return decryptor.update(ciphertext) + decryptor.finalize()


def _hkdf(material: bytes, *, info: str, length: int) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=_HKDF_SALT, info=info.encode("ascii"))
    return kdf.derive(material)


def _secret_bytes(secret: str) -> bytes:
    """The input key material of a data key: base64 of 32 bytes is decoded, anything else is UTF-8."""
    text = secret.strip()
    if _BASE64_KEY_RE.fullmatch(text):
        standard = text.replace("-", "+").replace("_", "/").rstrip("=") + "="
        try:
            raw = base64.b64decode(standard, validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) == 32:
            return raw
    return text.encode("utf-8")


@functools.lru_cache(maxsize=32)
def _master_key(secret: str) -> _MasterKey:
    material = _secret_bytes(secret)
    key_id = hashlib.sha256(_hkdf(material, info="gongzhi/v1/key-id", length=32)).hexdigest()[:8]
    return _MasterKey(key_id=key_id, material=material)


@functools.lru_cache(maxsize=64)
def _aead(master: _MasterKey, cipher_name: str) -> _Aead:
    spec = _CIPHERS_BY_NAME[cipher_name]
    key = _hkdf(master.material, info=f"gongzhi/v1/field-encryption/{spec.name}", length=spec.key_length)
    if spec.name == CIPHER_AES_256_GCM:
        return AESGCM(key)
    try:
        Cipher(algorithms.SM4(key), modes.GCM(b"\0" * _NONCE_BYTES)).encryptor()
    except UnsupportedAlgorithm as exc:
        raise ImproperlyConfigured(
            "GONGZHI_FIELD_CIPHER is sm4-gcm, but the OpenSSL build behind 'cryptography' lacks SM4-GCM."
        ) from exc
    return _SM4GCM(key)


@functools.lru_cache(maxsize=32)
def _blind_index_key(master: _MasterKey, hash_name: DigestAlgorithm) -> bytes:
    return _hkdf(master.material, info=f"gongzhi/v1/blind-index/hmac-{hash_name}", length=32)


def _keyring(config: CryptoConfig) -> _Keyring:
    """The keys of ``config``, checked on every call and built once per distinct configuration."""
    cipher_name = config.cipher.strip().lower() if isinstance(config.cipher, str) else ""
    if cipher_name not in _CIPHERS_BY_NAME:
        choices = ", ".join(sorted(_CIPHERS_BY_NAME))
        raise ImproperlyConfigured(f"GONGZHI_FIELD_CIPHER must be one of: {choices}.")
    if not isinstance(config.data_key, str) or not config.data_key.strip():
        raise ImproperlyConfigured("GONGZHI_DATA_KEY must be set to a non-empty secret string.")
    if not all(isinstance(key, str) and key.strip() for key in config.old_data_keys):
        raise ImproperlyConfigured("GONGZHI_OLD_DATA_KEYS must contain only non-empty key strings.")
    return _build_keyring(cipher_name, config.data_key, config.old_data_keys)


@functools.lru_cache(maxsize=16)
def _build_keyring(cipher_name: str, data_key: str, old_data_keys: tuple[str, ...]) -> _Keyring:
    current = _master_key(data_key)
    by_id: dict[str, tuple[_MasterKey, ...]] = {}
    for secret in (data_key, *old_data_keys):
        master = _master_key(secret)
        known = by_id.get(master.key_id, ())
        if master not in known:
            by_id[master.key_id] = (*known, master)
    return _Keyring(cipher=_CIPHERS_BY_NAME[cipher_name], current=current, by_id=by_id)


def _associated_data(cipher_short: str, key_id: str, aad: str) -> bytes:
    return f"gongzhi|{_VERSION}|{cipher_short}|{key_id}|{aad}".encode()


def _check_aad(aad: str) -> None:
    if not isinstance(aad, str) or not aad:
        raise ValueError("aad must name the column, for example 'people.Resident.id_number'.")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- public API ---------------------------------------------------------------------------------


def is_token(value: object) -> bool:
    """Whether ``value`` has the shape of a token made by ``encrypt()`` (it is not decrypted)."""
    return isinstance(value, str) and _TOKEN_RE.fullmatch(value) is not None


@overload
def encrypt(plaintext: None, *, aad: str, config: CryptoConfig | None = None) -> None: ...
@overload
def encrypt(plaintext: str, *, aad: str, config: CryptoConfig | None = None) -> str: ...
def encrypt(plaintext: str | None, *, aad: str, config: CryptoConfig | None = None) -> str | None:
    """加密: encrypt one value for the column named by ``aad``; ``None`` and ``""`` pass through.

    Uses the current data key, the configured cipher and a fresh random 96-bit nonce, so encrypting
    the same value twice gives different tokens (use ``blind_index()`` for lookups).
    """
    if plaintext is None or plaintext == "":
        return plaintext
    if not isinstance(plaintext, str):
        raise TypeError("encrypt() takes text; convert the value to str first.")
    _check_aad(aad)
    ring = _keyring(config or get_config())
    spec, master = ring.cipher, ring.current
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(master, spec.name).encrypt(
        nonce, plaintext.encode("utf-8"), _associated_data(spec.short, master.key_id, aad)
    )
    return f"{_VERSION}:{spec.short}:{master.key_id}:{_b64encode(nonce + sealed)}"


@overload
def decrypt(token: None, *, aad: str, config: CryptoConfig | None = None) -> None: ...
@overload
def decrypt(token: str, *, aad: str, config: CryptoConfig | None = None) -> str: ...
def decrypt(token: str | None, *, aad: str, config: CryptoConfig | None = None) -> str | None:
    """解密: decrypt a token made by ``encrypt()`` for the same ``aad``; ``None`` and ``""`` pass through.

    The key is found by the key id in the token among the current and old data keys. Raises
    ``DecryptionError`` when the text is not a token, the key is unknown, or authentication fails
    (the token was altered or belongs to another column).
    """
    if token is None or token == "":
        return token
    _check_aad(aad)
    match = _TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise DecryptionError(f"The value stored for {aad} is not an encrypted token.")
    cipher_short, key_id, payload = match.groups()
    try:
        raw = _b64decode(payload)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError(f"The token for {aad} is not valid base64url.") from exc
    if len(raw) <= _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError(f"The token for {aad} is too short.")
    ring = _keyring(config or get_config())
    candidates = ring.by_id.get(key_id)
    if not candidates:
        raise DecryptionError(f"The token for {aad} uses data key {key_id}, which is not configured.")
    spec = _CIPHERS_BY_SHORT[cipher_short]
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    associated_data = _associated_data(cipher_short, key_id, aad)
    for master in candidates:
        try:
            plaintext = _aead(master, spec.name).decrypt(nonce, sealed, associated_data)
        except InvalidTag:
            continue
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError as exc:  # pragma: no cover - only reachable with a forged key
            raise DecryptionError(f"The token for {aad} does not hold UTF-8 text.") from exc
    raise DecryptionError(f"The token for {aad} failed authentication: altered, or from another column.")


def needs_reencryption(token: str, *, config: CryptoConfig | None = None) -> bool:
    """Whether a stored token uses an old data key or another cipher than the configured one.

    Raises ``DecryptionError`` when the text is not a token at all.
    """
    match = _TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise DecryptionError("The value is not an encrypted token.")
    ring = _keyring(config or get_config())
    return (match.group(1), match.group(2)) != (ring.cipher.short, ring.current.key_id)


@overload
def blind_index(value: None, *, purpose: str, config: CryptoConfig | None = None) -> None: ...
@overload
def blind_index(value: str, *, purpose: str, config: CryptoConfig | None = None) -> str: ...
def blind_index(value: str | None, *, purpose: str, config: CryptoConfig | None = None) -> str | None:
    """盲索引: a deterministic keyed hash for exact lookups on an encrypted column.

    HMAC-SHA256 (HMAC-SM3 when the cipher is ``sm4-gcm``) with the blind-index sub-key of the current
    data key over ``purpose`` and ``value``, as 32 hex characters. ``purpose`` names the index (for
    example ``"people.Resident.id_number"``) so equal values give unrelated indexes in different columns.

    The caller normalises ``value`` first, exactly as when it stores the value: strip spaces, upper-case
    the X of ID numbers (``validators.validate_id_number`` does both), reduce mobile numbers to 11 digits.
    ``None`` and ``""`` pass through, so blank values have no index.
    """
    if value is None or value == "":
        return value
    if not isinstance(purpose, str) or not purpose:
        raise ValueError("purpose must name the index, for example 'people.Resident.id_number'.")
    ring = _keyring(config or get_config())
    hash_name = ring.cipher.blind_index_hash
    key = _blind_index_key(ring.current, hash_name)
    purpose_bytes = purpose.encode("utf-8")
    message = len(purpose_bytes).to_bytes(4, "big") + purpose_bytes + value.encode("utf-8")
    if hash_name == "sha256":
        mac = hmac.new(key, message, hashlib.sha256).digest()
    else:
        signer = crypto_hmac.HMAC(key, hashes.SM3())
        signer.update(message)
        mac = signer.finalize()
    return mac.hex()[:_BLIND_INDEX_HEX_CHARS]


def digest(data: bytes, *, algorithm: DigestAlgorithm = "sha256") -> str:
    """摘要: the hex digest of ``data`` with SHA-256 or SM3 (used by the audit hash chain)."""
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    if algorithm == "sm3":
        hasher = hashes.Hash(hashes.SM3())
        hasher.update(data)
        return hasher.finalize().hex()
    raise ValueError(f"Unknown digest algorithm {algorithm!r}; use 'sha256' or 'sm3'.")
