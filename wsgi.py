"""Entry point for `flask --app wsgi …` and for gunicorn (`gunicorn wsgi:app`)."""

import gc

from grants import create_app

app = create_app()
# What the app loaded to start (modules, templates, the URL map: some million objects) stays for
# the process's life: out of the garbage collector's full passes, which scanned it all every few
# hundred pages (some 150 ms each).
gc.freeze()
