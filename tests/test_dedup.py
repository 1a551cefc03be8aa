from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa.dedup import (
    SIGNATURE_BYTES,
    DuplicateFinder,
    normalise,
    shingles,
    signature,
    similarity,
)

ORIGINAL = """\
LISBON (Reuters) - Portugal's parliament on Tuesday rejected the minority government's budget \
for next year, pushing the country towards its third snap election in as many years. \
The bill fell by 128 votes to 101 after the Socialist Party joined the far-right Chega in \
voting against it. \
Prime Minister Luis Montenegro said he would not resign and urged the opposition to reconsider \
before the final vote in December. \
"Portugal cannot afford another year of political paralysis," he told reporters outside the \
assembly in Lisbon. \
The budget included income tax cuts for young workers, higher pensions and a rise in defence \
spending to meet NATO targets. \
President Marcelo Rebelo de Sousa, who has the power to dissolve parliament, is expected to \
meet party leaders later this week. \
Analysts said investors had largely priced in the political risk, and Portuguese bond yields \
were little changed on the day. \
The country's economy grew 1.9% last year, one of the fastest rates in the euro zone. \
Reporting by Sergio Goncalves; Editing by Andrei Khalip and Alison Williams."""

# The same story as syndicated elsewhere: its own credit line, one sentence updated.
COPY = (
    ORIGINAL.replace(
        "The bill fell by 128 votes to 101 after the Socialist Party joined",
        "The bill was defeated by 128 votes to 103 after the Socialist Party joined",
    )
    .replace(
        "Reporting by Sergio Goncalves; Editing by Andrei Khalip and Alison Williams.",
        "Additional reporting by Catarina Demony; writing by Andrei Khalip.",
    )
    .replace("LISBON (Reuters) - ", "LISBON, Oct 29 (Reuters) — ")
)

# A different story on the same topic: same names and vocabulary, different sentences.
SAME_TOPIC = """\
Portugal's Prime Minister Luis Montenegro on Thursday presented a budget proposal he said \
would put more money in the pockets of families. \
The plan cuts income tax for workers under 35 and raises the minimum pension by 50 euros a \
month. \
Finance Minister Joaquim Miranda Sarmento told parliament the deficit would stay below 0.5% of \
gross domestic product. \
The Socialist Party, the largest opposition group, said the proposal favoured the wealthy and \
signalled it could abstain rather than vote against it. \
Chega leader Andre Ventura demanded tougher immigration rules in exchange for his party's \
support. \
Montenegro's centre-right coalition holds 80 of the 230 seats in the assembly. \
President Marcelo Rebelo de Sousa has urged all parties to avoid a political crisis. \
A first vote on the budget is scheduled for the end of the month."""


def test_normalise_ignores_case_and_punctuation() -> None:
    assert normalise("Portugal’s PM — “No,” he said.") == [
        "portugal",
        "s",
        "pm",
        "no",
        "he",
        "said",
    ]


def test_shingles_are_five_words() -> None:
    assert shingles("one two three four five six") == {
        "one two three four five",
        "two three four five six",
    }
    assert shingles("too short") == {"too short"}
    assert shingles("") == set()


def test_signature_is_compact_and_deterministic() -> None:
    sig = signature(ORIGINAL)
    assert isinstance(sig, bytes) and len(sig) == SIGNATURE_BYTES == 256
    assert signature(ORIGINAL) == sig
    assert similarity(sig, sig) == 1.0


def test_signature_is_the_same_in_another_process() -> None:
    # Load the module by path (no package import) under a different hash seed: the signature
    # must not depend on Python's salted hash().
    module = Path(__file__).resolve().parent.parent / "qa" / "dedup.py"
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dedup', {str(module)!r})\n"
        "dedup = importlib.util.module_from_spec(spec); spec.loader.exec_module(dedup)\n"
        "sys.stdout.write(dedup.signature(sys.stdin.read()).hex())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=ORIGINAL,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert result.stdout == signature(ORIGINAL).hex()


def test_estimate_is_close_to_true_jaccard() -> None:
    a, b = shingles(ORIGINAL), shingles(COPY)
    true_jaccard = len(a & b) / len(a | b)
    assert 0.7 < true_jaccard < 0.9
    assert abs(similarity(signature(ORIGINAL), signature(COPY)) - true_jaccard) < 0.15


def test_finds_a_syndicated_copy() -> None:
    finder = DuplicateFinder()
    finder.add("reuters", signature(ORIGINAL))
    finder.add("other-story", signature(SAME_TOPIC))
    found = finder.find(signature(COPY))
    assert [key for key, _ in found] == ["reuters"]
    assert found[0][1] >= 0.7


def test_same_topic_is_not_a_duplicate() -> None:
    a, b = shingles(ORIGINAL), shingles(SAME_TOPIC)
    assert len(a & b) / len(a | b) < 0.05
    assert similarity(signature(ORIGINAL), signature(SAME_TOPIC)) < 0.2
    finder = DuplicateFinder()
    finder.add("reuters", signature(ORIGINAL))
    assert finder.find(signature(SAME_TOPIC)) == []


def test_finds_an_update_with_an_added_paragraph() -> None:
    update = ORIGINAL + (
        " Later on Tuesday, the Socialist leader Pedro Nuno Santos said his party was open to "
        "talks if the government dropped the tax cuts for high earners."
    )
    finder = DuplicateFinder()
    finder.add("first-version", signature(ORIGINAL))
    assert [key for key, _ in finder.find(signature(update))] == ["first-version"]


def test_results_are_best_first() -> None:
    finder = DuplicateFinder()
    finder.add("copy", signature(COPY))
    finder.add("exact", signature(ORIGINAL))
    found = finder.find(signature(ORIGINAL))
    assert [key for key, _ in found] == ["exact", "copy"]
    assert found[0][1] == 1.0 > found[1][1]


def test_remove_and_replace() -> None:
    finder = DuplicateFinder()
    finder.add("a", signature(ORIGINAL))
    assert "a" in finder and len(finder) == 1
    finder.remove("a")
    assert "a" not in finder and len(finder) == 0
    assert finder.find(signature(ORIGINAL)) == []
    finder.remove("a")  # idempotent
    finder.add("a", signature(SAME_TOPIC))
    finder.add("a", signature(ORIGINAL))  # re-adding a key replaces its signature
    assert finder.find(signature(ORIGINAL)) == [("a", 1.0)]
    assert finder.find(signature(SAME_TOPIC)) == []


def test_bad_input_says_how_to_fix() -> None:
    with pytest.raises(ValueError, match="recompute it with qa.dedup.signature"):
        similarity(b"short", signature(ORIGINAL))
    with pytest.raises(ValueError, match="between 0 and 1"):
        DuplicateFinder(threshold=1.5)
