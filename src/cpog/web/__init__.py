"""The web application: server-rendered pages with HTMX, the REST API, users and roles."""
