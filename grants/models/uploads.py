"""The columns every uploaded file keeps (grants/storage.py stores the file itself)."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.database import UTCDateTime, utcnow

if TYPE_CHECKING:
    from grants.storage import StoredFile


class UploadedFile:
    """Mixin: a file stored under a generated name, with what it was called, its type checked
    on content, its size and SHA-256, who uploaded it and when."""

    display_name: Mapped[str] = mapped_column(String(120))  # shown, never used in a path
    stored_name: Mapped[str] = mapped_column(String(60), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    if TYPE_CHECKING:  # the model this is mixed into takes its columns as keywords
        def __init__(self, **kw: Any) -> None: ...

    @classmethod
    def recorded(cls, stored: "StoredFile", uploaded_by_id: int, **fields: Any) -> Self:
        """A row for a file just stored."""
        return cls(display_name=stored.display_name, stored_name=stored.stored_name,
                   content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                   uploaded_by_id=uploaded_by_id, **fields)
