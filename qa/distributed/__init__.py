"""Scale-out on Ray (an optional extra: ``pip install -e '.[ray]'``).

    qa.distributed.ingest   ``Index.ingest(..., engine="ray")``: loading, segmenting and
                            chunking as Ray Data transforms, embedding on an actor pool,
                            writing through the same ``Ingester.write_batch`` as the local path
    qa.distributed.shards   a sharded dense backend (IVF trained on a sample, shards built in
                            parallel, merged on disk or searched as ``IndexShards``)
    qa.distributed.serve    Ray Serve: one deployment per shard, an ingress that embeds the
                            question (``@serve.batch``), fans out, merges and answers

Ray is imported lazily, only by the code that needs it, so the single-machine product never
loads it. ``ensure_ray`` joins the cluster named by ``RAY_ADDRESS`` or starts a local one.
"""

from __future__ import annotations

import os
from typing import Any

from qa.errors import NewsQAError

INSTALL_HINT = "pip install -e '.[ray]'"


class RayNotInstalledError(NewsQAError):
    """The Ray engine was asked for but Ray is not installed."""


def require_ray() -> Any:
    """The ``ray`` module, or ``RayNotInstalledError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise RayNotInstalledError(
            f"the Ray engine needs Ray, which is not installed; install it with: {INSTALL_HINT} "
            "(or use the default local engine)"
        ) from None
    return ray


def ensure_ray(num_cpus: int | None = None) -> Any:
    """Ray, initialised once per process: joins ``$RAY_ADDRESS`` when it is set (a cluster
    started with ``ray start``), else starts a local Ray on this machine's cores. A Ray the
    caller already initialised (a test, a notebook) is used as it is. A local Ray listens on
    127.0.0.1 only: one machine's Ray has nothing to offer the network."""
    address = os.environ.get("RAY_ADDRESS") or None
    if address is None:
        loopback_ray()
    ray = require_ray()
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address is None:
            options["num_cpus"] = num_cpus or len(os.sched_getaffinity(0))
            options["_node_ip_address"] = LOOPBACK
        ray.init(address=address, **options)
    return ray


LOOPBACK = "127.0.0.1"


def loopback_ray() -> None:
    """Make a local Ray started by this process bind to 127.0.0.1. Ray on Linux replaces a
    loopback ``_node_ip_address`` with the machine's network address unless its
    "single-machine" mode is on (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read when ray is
    first imported, so this must run before that)."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
