"""Exception types. Every message says what went wrong and what to do about it."""


class NewsQAError(Exception):
    """Base class for every error newsqa raises on purpose."""


class LoadError(NewsQAError):
    """An input file could not be read as an article (missing, bad encoding, bad JSON...)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class IndexNotFoundError(NewsQAError):
    """No index exists at the given folder."""


class IndexMismatchError(NewsQAError):
    """The index was built with another model, dimension or schema than requested."""


class EmptyQuestionError(NewsQAError, ValueError):
    """The question is empty or only whitespace."""


class ArticleNotFoundError(NewsQAError, KeyError):
    """No stored article has the given id or url."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class IndexCorruptError(NewsQAError):
    """The index's SQLite file is damaged or not a newsqa database."""


class IndexWriteError(NewsQAError):
    """Writing to the index failed (disk full, file-size limit, I/O error); the index keeps
    its last committed state."""


class StaleModelError(NewsQAError, ValueError):
    """A model file of the answer step (``qa/answer/abstain.json``) was trained on other
    features than this code computes; the message says how to retrain it."""


class RecencyPriorError(NewsQAError):
    """The recency prior's learned weight (``qa/models/recency.json``) is missing or
    unreadable; the message names the file and the command that rebuilds it."""


class ReaderModelError(NewsQAError):
    """The answer model's file (``qa/models/reader.onnx``) is missing, damaged or does not
    match its manifest; the message names the file and the command that rebuilds it."""
