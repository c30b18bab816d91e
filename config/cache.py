"""The cache is an optimisation: when Redis is down, every page still works.

`ResilientRedisCache` is Django's Redis backend with short socket timeouts, whose every
call answers as a cache miss (or does nothing) when Redis fails, instead of raising. The
failure is logged once per LOG_INTERVAL_SECONDS per process, not per request, and for
RETRY_AFTER_SECONDS after a failure Redis is not asked at all, so a dead cache costs
nothing. Everything Docent caches is read from the database on a miss (settings, first-run
state); lockout and limit counts live in the database already. `/healthz` reports the
cache's state through `ping()` (workspaces.operations.health).

settings.py maps `CACHE_URL=redis://…` to this backend.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 0.25
SOCKET_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 5.0
LOG_INTERVAL_SECONDS = 60.0
FAILURES = (RedisError, OSError)


def _resilient(default=None):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._down_until > time.monotonic():
                return default
            try:
                return method(self, *args, **kwargs)
            except FAILURES as error:
                self._failed(error)
                return default
        return wrapper
    return decorate


class ReusedRedisClient(RedisCacheClient):
    """Django builds a new `redis.Redis` around the connection pool on every cache call (with its
    table of response callbacks); one per pool serves every call and thread of the process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedRedisClient
        self._down_until = 0.0
        self._logged_at = None
        self._lock = threading.Lock()

    def _failed(self, error) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_AFTER_SECONDS
            if self._logged_at is None or now - self._logged_at >= LOG_INTERVAL_SECONDS:
                self._logged_at = now
                logger.error(
                    "Cache unavailable (%s: %s); serving from the database. Next report in %d s at the latest.",
                    type(error).__name__, error, LOG_INTERVAL_SECONDS,
                )

    def ping(self) -> bool:
        """Whether Redis answers now (asked even during the retry pause: health checks want the truth)."""
        try:
            return bool(self._cache.get_client().ping())
        except FAILURES as error:
            self._failed(error)
            return False

    def get(self, key, default=None, version=None):
        if self._down_until > time.monotonic():
            return default
        try:
            return super().get(key, default, version)
        except FAILURES as error:
            self._failed(error)
            return default

    get_many = _resilient({})(RedisCache.get_many)
    set = _resilient()(RedisCache.set)
    set_many = _resilient([])(RedisCache.set_many)
    add = _resilient(False)(RedisCache.add)
    touch = _resilient(False)(RedisCache.touch)
    delete = _resilient(False)(RedisCache.delete)
    delete_many = _resilient()(RedisCache.delete_many)
    has_key = _resilient(False)(RedisCache.has_key)
    clear = _resilient()(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except FAILURES as error:
            self._failed(error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from None
