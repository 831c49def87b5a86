"""WSGI entry point (waitress in ``cpog serve``, any WSGI server in production).

In production a worker refuses to start on a schema that is behind or without the collected
static files (:mod:`cpog.web.readiness`, decision 022): its error names the command to run."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
application = get_wsgi_application()

from cpog.web.readiness import check_production_start  # noqa: E402 - needs Django set up

check_production_start()
