"""What the workspaces app sets up when Django starts."""

from threadpoolctl import threadpool_info


def test_numpy_multiplies_matrices_on_one_thread_per_process():
    """Set when Django starts (workspaces.apps): BLAS threads spinning beside a request's SQL
    made a hybrid search's two halves no faster side by side than one after the other."""
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
