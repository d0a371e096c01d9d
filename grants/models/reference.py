"""Reference data: Mali's regions (loaded by migration)."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from grants.extensions import Model


class Region(Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)  # "00" Bamako … "19" Bandiagara
    name: Mapped[str] = mapped_column(String(80))

    def __str__(self) -> str:
        return self.name
