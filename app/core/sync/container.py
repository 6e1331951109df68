"""The bundle container: a stored (uncompressed) ZIP written byte-for-byte deterministically.

Entries are written in a fixed order with fixed metadata, so the reader can
re-serialise what it parsed and demand the same bytes: junk before or after,
extra fields, comments, compression, reordered, duplicated or renamed entries,
lying sizes — anything but the one canonical layout — is refused.
"""

from __future__ import annotations

import io
import zipfile

from app.core.errors import reason_of

MAX_ENTRIES = 64
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class ContainerRefused(ValueError):
    """Not a well-formed bundle container; the message is Vietnamese."""


def write_container(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED, allowZip64=False) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def read_container(
    data: bytes, allowed_names: frozenset[str] | None = None
) -> list[tuple[str, bytes]]:
    """The entries of a canonical container, in order. Bounded by ``len(data)``."""
    if data[:4] != b"PK\x03\x04":
        raise ContainerRefused("tệp không phải là gói dữ liệu (sai định dạng)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if not infos or len(infos) > MAX_ENTRIES:
                raise ContainerRefused("số mục trong gói không hợp lệ")
            entries: list[tuple[str, bytes]] = []
            seen: set[str] = set()
            for info in infos:
                name = info.filename
                if name.casefold() in seen:
                    raise ContainerRefused("gói có mục trùng tên")
                seen.add(name.casefold())
                if allowed_names is not None and name not in allowed_names:
                    raise ContainerRefused("gói có mục lạ")
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                    raise ContainerRefused("gói có mục bị nén hoặc mã hóa kiểu ZIP")
                if info.file_size != info.compress_size or info.file_size > len(data):
                    raise ContainerRefused("kích thước khai báo trong gói không đúng")
                entries.append((name, zf.read(info)))
    except ContainerRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ContainerRefused(f"gói bị hỏng hoặc bị cắt cụt ({reason_of(exc)})") from None
    except Exception as exc:  # any other parser failure on hostile bytes
        raise ContainerRefused(f"gói bị hỏng ({reason_of(exc)})") from None
    if write_container(entries) != data:
        raise ContainerRefused("gói bị sửa đổi hoặc có dữ liệu thừa (bố cục không chuẩn)")
    return entries
