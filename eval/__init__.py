"""The evaluation suite: ``python -m eval`` (see ``python -m eval --help``).

Data flow: ``datasets/`` loads each dataset into an ``EvalSet`` -> ``run`` indexes it once and
runs every system of ``systems`` over that index -> ``metrics`` scores the rankings and answers
-> ``report`` writes the table, report.md, results.json, per_query.jsonl and plots ->
``gate`` compares the scores with ``expected.toml``.
"""
