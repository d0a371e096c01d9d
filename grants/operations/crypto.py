"""Optional encryption of backup files with the key in BACKUP_KEY (a Fernet key: AES-128-CBC with an
HMAC-SHA256, from the `cryptography` package).

A file is cut into chunks of 1 MiB so that a multi-gigabyte dump never sits in memory; each chunk
is one Fernet token whose plaintext starts with the chunk's number and a "last chunk" flag, so that
chunks swapped, dropped or cut off at the end are refused, not silently restored."""

import struct
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"GRANTS-BACKUP-FERNET-1\n"
CHUNK_SIZE = 1 << 20
_HEADER = struct.Struct(">QB")  # chunk number, 1 on the last chunk
_LENGTH = struct.Struct(">I")


class DecryptionError(Exception):
    """The key is wrong or the file was altered."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode("ascii") if isinstance(key, str) else key)
    except (ValueError, TypeError) as error:
        raise DecryptionError("BACKUP_KEY is not a valid key (make one with "
                              "`flask --app wsgi backup-key`)") from error


def encrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(MAGIC)
        number = 0
        chunk = src.read(CHUNK_SIZE)
        while True:
            following = src.read(CHUNK_SIZE)
            last = not following
            token = fernet.encrypt(_HEADER.pack(number, int(last)) + chunk)
            out.write(_LENGTH.pack(len(token)) + token)
            if last:
                return
            chunk, number = following, number + 1


def decrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with open(source, "rb") as src, open(target, "wb") as out:
        if src.read(len(MAGIC)) != MAGIC:
            raise DecryptionError(f"{source.name} is not an encrypted backup file")
        expected = 0
        while True:
            length = src.read(_LENGTH.size)
            if len(length) != _LENGTH.size:
                raise DecryptionError(f"{source.name} is cut short")
            token = src.read(_LENGTH.unpack(length)[0])
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as error:
                raise DecryptionError(f"{source.name}: wrong BACKUP_KEY or altered file") from error
            number, last = _HEADER.unpack_from(plain)
            if number != expected:
                raise DecryptionError(f"{source.name}: chunks out of order")
            out.write(plain[_HEADER.size:])
            if last:
                if src.read(1):
                    raise DecryptionError(f"{source.name}: data after the last chunk")
                return
            expected += 1
