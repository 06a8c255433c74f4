"""spendcast's HTTP shell: validation, caching, metrics and serialization around ``pricing``."""

__version__ = "0.1.0"
