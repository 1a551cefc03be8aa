"""A client of the Ray Serve ingress (``qa.distributed.serve``) for the Gradio app: answers
come back as the same ``Answer`` records ``Index.ask`` returns. Needs no Ray, only HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa.distributed.wire import answer_from_plain, to_plain
from qa.errors import NewsQAError
from qa.records import Answer, Filters


class RemoteAnswers:
    """A client of the ingress for the Gradio app: ``ask`` returns ``Answer`` records, as
    ``Index.ask`` does."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def ask(
        self, question: str, history: Sequence[Answer] = (), filters: Filters | None = None
    ) -> Answer:
        import httpx

        body: dict[str, Any] = {"question": question, "history": [to_plain(a) for a in history]}
        if filters is not None:
            body.update(sources=list(filters.sources), since=filters.since, until=filters.until)
        try:
            response = httpx.post(f"{self.url}/ask", json=body, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise NewsQAError(
                f"the answer backend at {self.url} did not answer ({error}); is "
                "`python -m qa serve --engine ray` running there?"
            ) from None
        data = response.json()
        if response.status_code != 200:
            raise NewsQAError(f"the answer backend said: {data.get('error', response.text)}")
        return answer_from_plain(data["answer"])

