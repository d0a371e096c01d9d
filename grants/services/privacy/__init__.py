"""A person's rights over their data (Mali's law n°2013-015, IOM's data protection principles):
their file on request (`person_file.py`), erasure on request (`erasure.py`) and the retention
rules applied to everyone (`retention.py`). After followup in the layering: it reads every
domain and changes none of their rules."""
