"""An S3 protocol server for tests: moto's standalone server, in its own process on 127.0.0.1.

The storage tests and the two-host test talk to it over HTTP exactly as Docent talks
to any S3-compatible store; nothing in the client library is mocked.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid

from tests.ports import free_port

# Empty: a free port of its own for each server, so two test runs on one machine never share one.
S3_TEST_PORT = int(os.environ.get("S3_TEST_PORT", "0"))
ACCESS_KEY = "docent-test"
SECRET_KEY = "docent-test-secret"
REGION = "us-east-1"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def s3_server(port: int = S3_TEST_PORT):
    """Start moto's server on `port` (0: a free one), or reuse one already listening on a port
    given; yield its endpoint URL."""
    process = None
    reuse = bool(port)
    port = port or free_port()
    if not (reuse and _listening(port)):
        process = subprocess.Popen(  # noqa: S603 - a fixed command
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"The S3 test server did not start on port {port}.")
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


def new_bucket(endpoint: str) -> str:
    name = f"docent-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def storage_settings(endpoint: str, bucket: str) -> dict:
    """STORAGES["default"] as config/settings.py builds it from S3_* variables."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": endpoint, "region_name": REGION,
            "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "file_overwrite": False, "default_acl": None,
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    }


def storage_environment(endpoint: str, bucket: str) -> dict:
    """The same as environment variables, for servers the tests start."""
    return {
        "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }
