"""cpog: turn a CPOG into a steering tool."""

__version__ = "0.1.0"
