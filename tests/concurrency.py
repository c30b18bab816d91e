"""Requests sent at the same instant: each on its own thread with its own database connection."""

import threading

from django.db import connection


def at_once(request, count: int) -> list:
    """Call `request(number)` for number 0…count-1 on `count` threads released together;
    return what the calls returned, in the order they finished."""
    barrier = threading.Barrier(count)
    results = []

    def run(number):
        try:
            barrier.wait()
            results.append(request(number))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
