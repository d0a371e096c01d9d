"""Running the system: backup and restore (`backup.py`, `crypto.py`), the health check
(`health.py`), the structured request log (`request_log.py`) and their commands (`commands.py`)."""
