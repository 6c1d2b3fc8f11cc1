"""The app's own settings (production, from the environment) with the floor views mounted next to it.

Used only by ``bench/floor_load.py``: the same gunicorn, middleware, sessions and database serve the
app and the floor, so each app request can be compared with the least the stack does for its kind.
"""

from config.settings import *  # noqa: F403 - the very settings the app runs with

ROOT_URLCONF = "bench.floor.urls"
