"""monitor: poll news feeds, detect event reports, alert once per real event."""

__version__ = "0.1.0"
