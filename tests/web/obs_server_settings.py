"""cpog's settings with routes that fail on purpose (obs_failing_urls): for the real servers
started by test_server_logs.py only."""

from cpog.settings import *  # noqa: F403

ROOT_URLCONF = "obs_failing_urls"
