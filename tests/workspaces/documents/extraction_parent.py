"""A worker stand-in, run as its own process by test_sandbox: it starts one bounded extraction
of a reader that never finishes (it spins, writing the child's pid to argv[1] first), and waits."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
django.setup()

from django.conf import settings  # noqa: E402

from workspaces.documents import sandbox, sandbox_child  # noqa: E402
from workspaces.documents.refusals import DocumentRefused  # noqa: E402


def endless_reader(*, stream, name, **_options):
    with open(sys.argv[1] + ".tmp", "w") as pid_file:
        pid_file.write(str(os.getpid()))
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        pass


settings.EXTRACTION_TIMEOUT_SECONDS = float(sys.argv[2])
sandbox_child.extract_text = endless_reader
with open(__file__, "rb") as stream:
    try:
        sandbox.extract_bounded(stream=stream, name="endless.txt")
    except DocumentRefused as refusal:
        print(refusal.message, flush=True)
