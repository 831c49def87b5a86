"""WSGI entry point (waitress in ``cpog serve``, any WSGI server in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
application = get_wsgi_application()
