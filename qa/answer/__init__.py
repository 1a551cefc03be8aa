"""The answer step: extractive answers, each sentence cited exactly, or a plain "the articles
don't say".

No generative model runs here. A question goes one of two ways:

* "What did X say?" — X is matched against the people in the retrieved articles
  (``qa.speakers``), and all of X's statements are returned in article order
  (``qa.answer.statements``).
* anything else — candidate sentences (retrieved passages plus their neighbours) are scored
  for how well they answer, the best few kept (``qa.answer.select``).

``qa.answer.ask`` runs the whole flow for one turn of a conversation (follow-ups, time words,
one retrieval, selection); ``qa.answer.compose`` numbers the citations. Every citation is
``article.text[start:end]`` of a stored sentence, so it is exact by construction.
"""

from qa.answer.ask import ask, interpret_time
from qa.answer.select import ABSTAIN_BELOW, Question, parse_question, question_type

__all__ = ["ABSTAIN_BELOW", "Question", "ask", "interpret_time", "parse_question", "question_type"]
