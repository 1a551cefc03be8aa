"""Serving an index on Ray Serve: one deployment per dense shard, an ingress that answers.

    HTTP POST /ask {"question": ..., "history": [...], "sources": [...], "since", "until"}
      -> Ingress (the store, BM25, the answer code: ``qa.answer.ask``, as ``Index.ask``)
           -> QuestionEmbedder (the model, once; questions of concurrent requests embedded
              together with ``@serve.batch``)
           -> ShardSearcher x N (each its own shard file, memory-mapped), fanned out at once,
              their top-k merged (``qa.distributed.shards.merge_hits``)
      <- {"answer": the complete Answer (``qa.distributed.wire``), "display": Answer.to_dict()}
    HTTP POST /retrieve {"question": ..., "k": 10}  -> {"passages": [Passage.to_dict(), ...]}
    HTTP GET  /health -> {"generation": ..., "shards": N}

Start it with ``python -m qa serve --engine ray --index DIR --shards N`` or, with the Ray
CLI, ``serve run qa.distributed.serve:app_builder index=DIR shards=N``. The shards are the
index's sharded dense backend (``qa.distributed.shards``): an index not yet sharded is
switched to it first. The deployment serves the index as it was when started; redeploy after
an ingest (the ingress notes a newer generation in ``/health``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.backends import Hits, Queries
from qa.distributed import ensure_ray, require_ray

require_ray()  # this module is Ray Serve code: say how to install Ray, not a bare ImportError
from ray import serve  # noqa: E402

from qa.distributed.shards import (  # noqa: E402
    MANIFEST_BACKEND,
    MANIFEST_SHARDS,
    ShardedIndex,
    ShardPlan,
    load_shard,
    merge_hits,
    rerank_exact,
    search_index,
    use_sharded_backend,
)
from qa.distributed.wire import answer_from_plain, to_plain  # noqa: E402
from qa.errors import NewsQAError  # noqa: E402

DEFAULT_PORT = 8000
SHARD_CPUS = 0.25  # a shard search is milliseconds; leave the cores to the embedder
INGRESS_CPUS = 0.5
EMBEDDER_CPUS = 0.5
MAX_BATCH = 32  # questions embedded together
BATCH_WAIT_S = 0.005  # how long the first question of a batch waits for company


@dataclass(frozen=True)
class ServedIndex:
    """What the deployments need to know about the index they serve."""

    folder: str
    shards_folder: str
    plan: ShardPlan
    model: str
    dimension: int
    generation: int


def prepare_index(folder: str | Path, shards: int | None = None) -> ServedIndex:
    """Open the index, make sure its dense backend is sharded (``shards`` parts; default: as
    it is, else 2), and say where the shard files are."""
    from qa.index import Index

    with Index.open(folder) as index:
        manifest = index.store.manifest()
        current = int(manifest.get(MANIFEST_SHARDS, 0) or 0)  # type: ignore[arg-type]
        wanted = shards or current or 2
        if manifest.get(MANIFEST_BACKEND) != "sharded" or current != wanted:
            use_sharded_backend(index, wanted)
        dense = index.caches.dense
        assert isinstance(dense, ShardedIndex)
        return ServedIndex(
            folder=str(Path(folder).resolve()),
            shards_folder=str(dense.folder.resolve()),
            plan=dense.plan,
            model=index.embedder.name,
            dimension=index.embedder.dimension,
            generation=index.store.generation(),
        )


# -- the deployments ---------------------------------------------------------------------------


@serve.deployment(ray_actor_options={"num_cpus": SHARD_CPUS})
class ShardSearcher:
    """One shard of the dense index, memory-mapped; answers a batch of question vectors."""

    def __init__(self, shards_folder: str, number: int, plan: ShardPlan) -> None:
        from qa.distributed.shards import shard_name

        folder = Path(shards_folder)
        self.plan = plan
        self.index = load_shard(folder / shard_name(number), plan.kind)
        self.rerank = None
        if plan.kind == "ivf-pq":  # exact re-rank from the shared, memory-mapped vectors
            ids = np.load(folder / "ids.npy", mmap_mode="r")
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            self.rerank = lambda q, found, k: rerank_exact(ids, vectors, q, found, k)

    def search(
        self, vectors: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        return search_index(self.index, self.plan, vectors, k, allowed, self.rerank)


# As many requests in flight as a batch holds, or batches never fill.
@serve.deployment(ray_actor_options={"num_cpus": EMBEDDER_CPUS}, max_ongoing_requests=MAX_BATCH)
class QuestionEmbedder:
    """The embedding model, loaded once; concurrent calls are embedded as one batch."""

    def __init__(self, model: str) -> None:
        from qa.embed import get_embedder

        self.embedder = get_embedder(model)

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=BATCH_WAIT_S)
    async def embed(self, requests: list[list[str]]) -> list[np.ndarray]:
        """Each call passes one list of texts; Serve gathers concurrent calls into
        ``requests`` and hands each caller its own rows back."""
        flat = [text for texts in requests for text in texts]
        vectors = self.embedder.embed(flat)
        out, offset = [], 0
        for texts in requests:
            out.append(vectors[offset : offset + len(texts)])
            offset += len(texts)
        return out


@serve.deployment(ray_actor_options={"num_cpus": INGRESS_CPUS}, max_ongoing_requests=MAX_BATCH)
class Ingress:
    """HTTP front: parses the request and answers with the single-machine answer code."""

    def __init__(self, served: ServedIndex, embedder: Any, shards: list[Any]) -> None:
        from qa.lexical import LexicalIndex

        self.served = served
        self.embedder = RemoteEmbedder(embedder, served.model, served.dimension)
        self.dense = RemoteShards(shards)
        folder = Path(served.folder)
        self.lexical = LexicalIndex.load(folder / f"bm25-{served.generation}")
        self._local = threading.local()  # one store connection and searcher per thread

    def searcher(self) -> Any:
        from qa.search import Searcher
        from qa.sentence_vectors import SentenceVectors
        from qa.store import Store

        if not hasattr(self._local, "searcher"):
            store = Store(Path(self.served.folder))
            caches = FixedCaches(store, self.dense, self.lexical)
            self._local.searcher = Searcher(
                store, caches, self.embedder, SentenceVectors(self.embedder, store)  # type: ignore[arg-type]
            )
        return self._local.searcher

    async def __call__(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        route = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            if route == "health":
                return JSONResponse(await asyncio.to_thread(self.health))
            body = await request.json()
            if route == "ask":
                return JSONResponse(await asyncio.to_thread(self.ask, body))
            if route == "retrieve":
                return JSONResponse(await asyncio.to_thread(self.retrieve, body))
        except (NewsQAError, ValueError, KeyError, TypeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"error": "use POST /ask, POST /retrieve or GET /health"}, 404)

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        from qa import answer
        from qa.fusion import DEFAULT_MODE

        history = [answer_from_plain(a) for a in body.get("history") or []]
        found = answer.ask(
            self.searcher(),
            body["question"],
            history,
            filters=_filters(body),
            mode=body.get("mode") or DEFAULT_MODE,
        )
        return {"answer": to_plain(found), "display": found.to_dict()}

    def retrieve(self, body: dict[str, Any]) -> dict[str, Any]:
        from qa.fusion import DEFAULT_MODE

        found = self.searcher().search(
            [body["question"]], int(body.get("k", 10)), body.get("mode") or DEFAULT_MODE,
            _filters(body),
        )[0]  # fmt: skip
        return {"passages": [p.to_dict() for p in found.passages]}

    def health(self) -> dict[str, Any]:
        current = self.searcher().store.generation()
        return {
            "index": self.served.folder,
            "generation": self.served.generation,
            "stale": current != self.served.generation,
            "shards": self.served.plan.shards,
            "dense": self.served.plan.kind,
        }


def _filters(body: dict[str, Any]) -> Any:
    from qa.records import Filters

    return Filters(
        tuple(body.get("sources") or ()), body.get("since") or "", body.get("until") or ""
    )


# -- what the ingress plugs into the single-machine search code ----------------------------


class RemoteEmbedder:
    """The ``Embedder`` protocol over the QuestionEmbedder deployment."""

    def __init__(self, handle: Any, name: str, dimension: int) -> None:
        self.handle = handle
        self.name = name
        self.dimension = dimension
        self.max_tokens = 0  # only chunking reads it, and the ingress never chunks

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.handle.embed.remote(list(texts)).result()

    def count_tokens(self, text: str) -> int:  # pragma: no cover - ingest only
        raise NotImplementedError("the serving ingress never chunks text")


class RemoteShards:
    """The dense ``Backend`` over the shard deployments: fan out, then merge the top k."""

    def __init__(self, handles: list[Any]) -> None:
        self.handles = handles
        self.kind = f"ray serve x{len(handles)}"

    def search(self, queries: Queries, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        if queries.vectors is None:
            raise ValueError("dense search needs the questions' vectors; embed them first")
        calls = [h.search.remote(queries.vectors, k, allowed) for h in self.handles]
        scores, ids = merge_hits([call.result() for call in calls], k)
        hits = []
        for row_scores, row_ids in zip(scores, ids, strict=True):
            keep = row_ids >= 0
            hits.append((row_scores[keep], row_ids[keep]))
        return hits

    def save(self, path: Path) -> None:  # pragma: no cover - the shards are saved already
        raise NotImplementedError("the served shards are files of the index already")


class FixedCaches:
    """What ``Searcher`` reads from ``SearchCaches``, fixed at the deployed generation."""

    def __init__(self, store: Any, dense: RemoteShards, lexical: Any) -> None:
        self.store = store
        self.dense = dense
        self.lexical = lexical

    def refresh(self) -> None:
        """Nothing to reload: a deployment serves one generation (see the module docstring)."""


# -- building and running ---------------------------------------------------------------------


def build_app(served: ServedIndex) -> Any:
    """The Ray Serve application for ``served``: N shard deployments, the embedder, the
    ingress."""
    embedder = QuestionEmbedder.bind(served.model)
    shards = [
        ShardSearcher.options(name=f"Shard{number}").bind(served.shards_folder, number, served.plan)
        for number in range(served.plan.shards)
    ]
    return Ingress.bind(served, embedder, shards)


def app_builder(args: dict[str, str]) -> Any:
    """For ``serve run qa.distributed.serve:app_builder index=DIR shards=N``."""
    shards = int(args["shards"]) if args.get("shards") else None
    return build_app(prepare_index(args.get("index", "index"), shards))


def start(
    folder: str | Path,
    shards: int | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    name: str = "newsqa",
) -> str:
    """Deploy the index on Ray Serve and return the url of its ingress (not blocking)."""
    served = prepare_index(folder, shards)
    ensure_ray()
    serve.start(http_options={"host": host, "port": port})
    serve.run(build_app(served), name=name, route_prefix="/")
    return f"http://{host}:{port}"
