"""Business rules. Service functions flush but never commit: the request commits once."""
