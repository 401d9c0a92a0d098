"""Field encryption, blind indexes, digests and ``EncryptedTextField`` (``core.crypto``, ``core.fields``)."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models

from gongzhi.core import crypto
from gongzhi.core.crypto import CryptoConfig, DecryptionError
from gongzhi.core.fields import EncryptedTextField

KEY_A = "gongzhi-test-data-key-A-7f3c9a1e5b"
KEY_B = "gongzhi-test-data-key-B-2d8e6f4a0c"
ID_AAD = "people.Resident.id_number"
PHONE_AAD = "people.Resident.phone"
TOKEN_RE = re.compile(r"v1:(a256|sm4):([0-9a-f]{8}):([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def crypto_settings(settings):
    """Known keys for every test, whatever the project settings hold; pytest-django restores them."""
    settings.GONGZHI_DATA_KEY = KEY_A
    settings.GONGZHI_FIELD_CIPHER = crypto.CIPHER_AES_256_GCM
    settings.GONGZHI_OLD_DATA_KEYS = []
    return settings


def key_id(token: str) -> str:
    match = TOKEN_RE.fullmatch(token)
    assert match is not None, token
    return match.group(2)


# --- encrypt / decrypt ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cipher", "short"), [("aes-256-gcm", "a256"), ("sm4-gcm", "sm4")])
def test_round_trip_with_each_cipher(crypto_settings, cipher, short):
    crypto_settings.GONGZHI_FIELD_CIPHER = cipher
    for plaintext in ("11010519491231002X", "13812345678", "幸福里社区 3号楼 2单元 张三丰", "x"):
        token = crypto.encrypt(plaintext, aad=ID_AAD)
        match = TOKEN_RE.fullmatch(token)
        assert match is not None
        assert match.group(1) == short
        assert len(plaintext) < 4 or plaintext not in token
        assert crypto.decrypt(token, aad=ID_AAD) == plaintext


def test_token_carries_nonce_ciphertext_and_tag():
    token = crypto.encrypt("13812345678", aad=PHONE_AAD)
    payload = token.split(":")[3]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert len(raw) == 12 + len("13812345678") + 16


def test_same_value_encrypts_differently_each_time():
    first = crypto.encrypt("13812345678", aad=PHONE_AAD)
    second = crypto.encrypt("13812345678", aad=PHONE_AAD)
    assert first != second
    assert key_id(first) == key_id(second)


@pytest.mark.parametrize("blank", [None, ""])
def test_none_and_empty_pass_through(blank):
    assert crypto.encrypt(blank, aad=ID_AAD) == blank
    assert crypto.decrypt(blank, aad=ID_AAD) == blank


def test_empty_aad_is_rejected():
    with pytest.raises(ValueError):
        crypto.encrypt("13812345678", aad="")


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_token_from_another_column_does_not_decrypt(crypto_settings, cipher):
    crypto_settings.GONGZHI_FIELD_CIPHER = cipher
    token = crypto.encrypt("11010519491231002X", aad=ID_AAD)
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, aad=PHONE_AAD)


def _flip_payload_char(token: str, position: int) -> str:
    head, payload = token.rsplit(":", 1)
    replacement = "A" if payload[position] != "A" else "B"
    return f"{head}:{payload[:position]}{replacement}{payload[position + 1 :]}"


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
@pytest.mark.parametrize("position", [0, 20, -2])  # nonce, ciphertext, tag
def test_tampered_token_does_not_decrypt(crypto_settings, cipher, position):
    crypto_settings.GONGZHI_FIELD_CIPHER = cipher
    token = crypto.encrypt("11010519491231002X", aad=ID_AAD)
    with pytest.raises(DecryptionError):
        crypto.decrypt(_flip_payload_char(token, position), aad=ID_AAD)


def test_changed_header_does_not_decrypt():
    token = crypto.encrypt("11010519491231002X", aad=ID_AAD)
    _, cipher, kid, payload = token.split(":")
    with pytest.raises(DecryptionError):
        crypto.decrypt(f"v1:sm4:{kid}:{payload}", aad=ID_AAD)
    with pytest.raises(DecryptionError):
        crypto.decrypt(f"v1:{cipher}:00000000:{payload}", aad=ID_AAD)
    with pytest.raises(DecryptionError):
        crypto.decrypt(f"v2:{cipher}:{kid}:{payload}", aad=ID_AAD)
    with pytest.raises(DecryptionError):
        crypto.decrypt(f"v1:{cipher}:{kid}:{payload[:30]}", aad=ID_AAD)


@pytest.mark.parametrize("value", ["11010519491231002X", "v1:a256:abcdef01:", "v1:a256:abcdef01:@@@@"])
def test_plaintext_is_not_accepted_as_a_token(value):
    assert not crypto.is_token(value)
    with pytest.raises(DecryptionError):
        crypto.decrypt(value, aad=ID_AAD)


# --- keys, rotation and configuration ------------------------------------------------------------


def test_rotation_keeps_old_tokens_readable_and_writes_with_new_key(crypto_settings):
    old_token = crypto.encrypt("11010519491231002X", aad=ID_AAD)

    crypto_settings.GONGZHI_DATA_KEY = KEY_B
    crypto_settings.GONGZHI_OLD_DATA_KEYS = [KEY_A]
    new_token = crypto.encrypt("11010519491231002X", aad=ID_AAD)

    assert key_id(new_token) != key_id(old_token)
    assert crypto.decrypt(old_token, aad=ID_AAD) == "11010519491231002X"
    assert crypto.decrypt(new_token, aad=ID_AAD) == "11010519491231002X"
    assert crypto.needs_reencryption(old_token)
    assert not crypto.needs_reencryption(new_token)


def test_token_of_a_removed_key_does_not_decrypt(crypto_settings):
    token = crypto.encrypt("13812345678", aad=PHONE_AAD)
    crypto_settings.GONGZHI_DATA_KEY = KEY_B
    with pytest.raises(DecryptionError, match="not configured"):
        crypto.decrypt(token, aad=PHONE_AAD)


def test_key_id_is_stable_for_a_key_and_independent_of_the_cipher(crypto_settings):
    aes_token = crypto.encrypt("13812345678", aad=PHONE_AAD)
    crypto_settings.GONGZHI_FIELD_CIPHER = "sm4-gcm"
    sm4_token = crypto.encrypt("13812345678", aad=PHONE_AAD)
    assert key_id(aes_token) == key_id(sm4_token)
    # Switching the cipher keeps existing values readable and marks them for re-encryption.
    assert crypto.decrypt(aes_token, aad=PHONE_AAD) == "13812345678"
    assert crypto.needs_reencryption(aes_token)
    assert not crypto.needs_reencryption(sm4_token)


def test_default_cipher_is_aes_256_gcm(crypto_settings):
    del crypto_settings.GONGZHI_FIELD_CIPHER
    assert crypto.encrypt("13812345678", aad=PHONE_AAD).startswith("v1:a256:")


def test_base64_data_key_round_trips(crypto_settings):
    key = crypto.generate_data_key()
    assert len(base64.b64decode(key)) == 32
    crypto_settings.GONGZHI_DATA_KEY = key
    token = crypto.encrypt("13812345678", aad=PHONE_AAD)
    assert crypto.decrypt(token, aad=PHONE_AAD) == "13812345678"
    # The base64 text and its url-safe spelling are the same key.
    crypto_settings.GONGZHI_DATA_KEY = key.replace("+", "-").replace("/", "_").rstrip("=")
    assert crypto.decrypt(token, aad=PHONE_AAD) == "13812345678"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GONGZHI_DATA_KEY", ""),
        ("GONGZHI_DATA_KEY", None),
        ("GONGZHI_FIELD_CIPHER", "des-cbc"),
        ("GONGZHI_OLD_DATA_KEYS", "not-a-list"),
    ],
)
def test_bad_configuration_is_reported(crypto_settings, name, value):
    setattr(crypto_settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("13812345678", aad=PHONE_AAD)


def test_explicit_config_works_without_settings_and_hides_keys():
    config = CryptoConfig(data_key=KEY_B, cipher="sm4-gcm", old_data_keys=(KEY_A,))
    token = crypto.encrypt("13812345678", aad=PHONE_AAD, config=config)
    assert token.startswith("v1:sm4:")
    assert crypto.decrypt(token, aad=PHONE_AAD, config=config) == "13812345678"
    assert KEY_A not in repr(config)
    assert KEY_B not in repr(config)


# --- blind index and digest ----------------------------------------------------------------------


def test_blind_index_is_deterministic_hex_of_32_chars():
    first = crypto.blind_index("11010519491231002X", purpose=ID_AAD)
    assert first == crypto.blind_index("11010519491231002X", purpose=ID_AAD)
    assert re.fullmatch(r"[0-9a-f]{32}", first)


def test_blind_index_separates_values_purposes_keys_and_hashes(crypto_settings):
    base = crypto.blind_index("13812345678", purpose=PHONE_AAD)
    assert crypto.blind_index("13812345679", purpose=PHONE_AAD) != base
    assert crypto.blind_index("13812345678", purpose="accounts.User.phone") != base
    crypto_settings.GONGZHI_FIELD_CIPHER = "sm4-gcm"  # HMAC-SM3
    sm3_index = crypto.blind_index("13812345678", purpose=PHONE_AAD)
    assert re.fullmatch(r"[0-9a-f]{32}", sm3_index)
    assert sm3_index != base
    crypto_settings.GONGZHI_FIELD_CIPHER = "aes-256-gcm"
    crypto_settings.GONGZHI_DATA_KEY = KEY_B
    assert crypto.blind_index("13812345678", purpose=PHONE_AAD) != base


def test_blind_index_of_blank_is_blank():
    assert crypto.blind_index("", purpose=ID_AAD) == ""
    assert crypto.blind_index(None, purpose=ID_AAD) is None


def test_digest_matches_published_test_vectors():
    assert crypto.digest(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert crypto.digest(b"abc", algorithm="sm3") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    with pytest.raises(ValueError):
        crypto.digest(b"abc", algorithm="md5")


# --- EncryptedTextField --------------------------------------------------------------------------


class CryptoFieldProbe(models.Model):
    """A throw-away model whose table exists only during the field tests."""

    id_number = EncryptedTextField(aad="core.CryptoFieldProbe.id_number", null=True, blank=True)
    phone = EncryptedTextField(aad="core.CryptoFieldProbe.phone", blank=True, default="")

    class Meta:
        app_label = "core"
        managed = False
        db_table = "core_test_crypto_field_probe"

    def __str__(self) -> str:
        return f"probe {self.pk}"


@pytest.fixture
def probe_table(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(CryptoFieldProbe)
    yield CryptoFieldProbe
    with connection.schema_editor() as editor:
        editor.delete_model(CryptoFieldProbe)


def raw_column(pk: int, column: str) -> str | None:
    table = connection.ops.quote_name(CryptoFieldProbe._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_field_deconstruct_keeps_aad():
    field = CryptoFieldProbe._meta.get_field("phone")
    name, path, _, kwargs = field.deconstruct()
    assert (name, path) == ("phone", "gongzhi.core.fields.EncryptedTextField")
    assert kwargs["aad"] == "core.CryptoFieldProbe.phone"
    clone = field.clone()
    assert clone.aad == field.aad


def test_field_needs_aad():
    with pytest.raises(TypeError):
        EncryptedTextField()
    with pytest.raises(ValueError):
        EncryptedTextField(aad="")


def test_field_does_not_encrypt_twice_and_refuses_another_columns_token():
    field = CryptoFieldProbe._meta.get_field("phone")
    token = field.get_prep_value("13812345678")
    assert crypto.is_token(token)
    assert field.get_prep_value(token) == token
    foreign = crypto.encrypt("13812345678", aad="core.CryptoFieldProbe.id_number")
    with pytest.raises(DecryptionError):
        field.get_prep_value(foreign)
    assert field.get_prep_value("") == ""
    assert field.get_prep_value(None) is None


def test_field_stores_tokens_and_reads_plaintext(probe_table):
    probe = probe_table.objects.create(id_number="11010519491231002X", phone="13812345678")
    assert crypto.decrypt(raw_column(probe.pk, "phone"), aad="core.CryptoFieldProbe.phone") == "13812345678"
    assert "11010519491231002X" not in raw_column(probe.pk, "id_number")
    fetched = probe_table.objects.get(pk=probe.pk)
    assert (fetched.id_number, fetched.phone) == ("11010519491231002X", "13812345678")
    assert list(probe_table.objects.values_list("phone", flat=True)) == ["13812345678"]


def test_field_keeps_blank_values_blank(probe_table):
    probe = probe_table.objects.create(id_number=None, phone="")
    assert raw_column(probe.pk, "id_number") is None
    assert raw_column(probe.pk, "phone") == ""
    assert probe_table.objects.filter(id_number__isnull=True).count() == 1


def test_field_encrypts_in_bulk_create_update_and_bulk_update(probe_table):
    probe_table.objects.bulk_create(
        [probe_table(phone=f"1381234{index:04d}", id_number=None) for index in range(3)]
    )
    rows = list(probe_table.objects.order_by("pk"))
    assert [row.phone for row in rows] == ["13812340000", "13812340001", "13812340002"]
    assert all(crypto.is_token(raw_column(row.pk, "phone")) for row in rows)

    assert probe_table.objects.filter(pk=rows[0].pk).update(phone="13900000000") == 1
    assert crypto.is_token(raw_column(rows[0].pk, "phone"))
    assert probe_table.objects.get(pk=rows[0].pk).phone == "13900000000"

    rows[1].phone = "15000000001"
    rows[2].phone = "15000000002"
    probe_table.objects.bulk_update(rows[1:], ["phone"])
    assert crypto.is_token(raw_column(rows[1].pk, "phone"))
    assert [row.phone for row in probe_table.objects.order_by("pk")] == [
        "13900000000",
        "15000000001",
        "15000000002",
    ]


def test_field_rejects_lookups_on_ciphertext(probe_table):
    with pytest.raises(FieldError):
        list(probe_table.objects.filter(phone="13812345678"))
    with pytest.raises(FieldError):
        list(probe_table.objects.filter(phone__startswith="138"))
