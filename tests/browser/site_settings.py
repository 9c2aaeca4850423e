"""Settings of the browser tests' live site: the project's own, with every Celery task sent
to the queue that the tests' own worker consumes (``BROWSER_TEST_QUEUE``), so that other
workers on the same Redis never take them."""

import os

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["BROWSER_TEST_QUEUE"]
