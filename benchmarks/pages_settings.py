"""Production settings with one change: the URLconf adds the minimal anchor view of `make bench-pages`."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.pages_urls"
