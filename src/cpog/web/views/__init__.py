"""Page views. Each builds its context from plain domain objects, then renders a template."""
