"""The bench (`make bench`): production settings, plus the development tools.

The generator and the floor page (a page that costs no query) live in
campus.devtools, which production never installs.
"""

from .production import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "campus.devtools"]  # noqa: F405
