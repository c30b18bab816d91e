import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# httpx imports its command-line client (click, rich, pygments: 6 MiB a process) wherever they are
# installed, as in a development environment; a web process never runs it (issue 30).
sys.modules.setdefault("httpx._main", None)
application = get_wsgi_application()

from config.startup import require_secret_key  # noqa: E402  (needs configured settings)

require_secret_key()

from config.preload import web_process_preload  # noqa: E402

web_process_preload()
