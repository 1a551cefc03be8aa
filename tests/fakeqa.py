"""``python -m tests.fakeqa ARGS`` is ``python -m qa ARGS`` with the tests' fake embedder
registered (``--model fake-hashing-64``), so the fault and concurrency tests can run, kill
and race the real command line in other processes without loading the real model.

``NEWSQA_TEST_BATCH=N`` commits every N articles instead of every 256, so a short test run
crosses many batch boundaries (a test knob of this runner only, not of the product).
"""

from __future__ import annotations

import os
import sys

import qa.ingest
from qa.cli import main
from tests import conftest  # noqa: F401  (registers the fake embedder by its name)

if __name__ == "__main__":
    if os.environ.get("NEWSQA_TEST_BATCH"):
        qa.ingest.BATCH_ARTICLES = int(os.environ["NEWSQA_TEST_BATCH"])
    sys.exit(main(sys.argv[1:]))
