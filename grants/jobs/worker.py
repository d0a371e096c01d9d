"""Running the jobs: `flask --app wsgi jobs-worker` (threads in one process), or huey's own
consumer on the same queue: `huey_consumer grants.jobs.worker.huey -w 4 -k thread`. With
JOBS_REDIS_URL set, start one on each worker machine."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


def __getattr__(name: str):
    """`huey`, for huey_consumer: the app is created only when it is asked for."""
    if name == "huey":
        from grants import create_app

        return create_app().extensions["huey"]
    raise AttributeError(name)


@click.command("jobs-worker")
@click.option("--workers", type=int, default=None, help="Threads (default: JOBS_WORKERS).")
@with_appcontext
def jobs_worker(workers: int | None) -> None:
    """Take the queued jobs and run them until interrupted (Ctrl-C or SIGTERM)."""
    huey = current_app.extensions["huey"]
    if huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is set: jobs run inside the requests.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    consumer = huey.create_consumer(workers=workers or current_app.config["JOBS_WORKERS"],
                                    worker_type="thread")
    consumer.run()
