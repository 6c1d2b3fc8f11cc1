"""The test settings with the distributed job backend (django-tasks-rq on Redis), for the processes
that tests/test_rq_backend.py starts: run with TASKS_BACKEND=django_tasks_rq.RQBackend and
TASKS_REDIS_URL in the environment, so config.settings adds django_rq and its queue."""

from tests.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
