"""Safe export writers shared by all areas: one per format (xlsx, csv)."""
