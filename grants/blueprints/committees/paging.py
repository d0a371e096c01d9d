"""Committee lists page their rows with grants.paging's SlicePage and list_page."""

from grants.paging import SlicePage, list_page

__all__ = ["SlicePage", "list_page"]
