"""The command line as a user meets it: exit codes and the exact lines they read.

Run in-process on the fake embedder (``--model fake-hashing-64``, registered in conftest), as
simonw/llm tests its CLI; one end-to-end test builds with the real bundled model.
"""

import json

import pytest

from qa.cli import build_parser, main

from .conftest import FAKE_MODEL, SAMPLE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "ix"
    command = ["ingest", str(SAMPLE), "--index", str(folder), "--quiet", "--model", FAKE_MODEL]
    assert main(command) == 0
    return folder


@pytest.mark.model
def test_real_model_end_to_end(tmp_path, capsys):
    folder = str(tmp_path / "ix")
    assert main(["ingest", str(SAMPLE), "--index", folder, "--quiet"]) == 0
    capsys.readouterr()
    question = "How many Armenian officers will study in Russia?"
    assert main(["retrieve", question, "--k", "1", "--json", "--index", folder]) == 0
    assert "over 200 Armenian officers" in json.loads(capsys.readouterr().out)[0]["text"]
    assert main(["ask", question, "--index", folder]) == 0
    assert "over 200 Armenian officers" in capsys.readouterr().out
    assert main(["info", "--json", "--index", folder]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "all-MiniLM-L6-v2" and info["dimension"] == 384


def test_ingest_twice_is_idempotent(built, capsys):
    assert main(["ingest", str(SAMPLE), "--index", str(built), "--quiet"]) == 0
    assert "0 added, 0 updated, 1 unchanged, 0 skipped (0 new chunks)" in capsys.readouterr().out


def test_retrieve_json_contract(built, capsys):
    question = "How many Armenian officers will study in Russia?"
    assert main(["retrieve", question, "--k", "3", "--json", "--index", str(built)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 3
    assert set(results[0]) >= {"article_id", "title", "source", "published", "url", "score",
                               "text", "start", "end"}
    assert "Armenian officers" in " ".join(r["text"] for r in results)
    assert results[0]["source"] == "armenews.com"


def test_ask_prints_cited_answer(built, capsys):
    assert main(["ask", "What did Ohanian say?", "--index", str(built)]) == 0
    out = capsys.readouterr().out
    assert "“We want to maintain our strategic partnership,” Ohanian said. [1]" in out
    assert "[1] Shoigu welcomes" in out and "armenews.com" in out


def test_ask_json_contract(built, capsys):
    assert main(["ask", "What did Putin say?", "--json", "--index", str(built)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) >= {"question", "answer", "abstained", "confidence", "citations"}
    assert answer["abstained"] is True and answer["citations"] == []


def test_info_and_delete(built, capsys):
    assert main(["info", "--json", "--articles", "--index", str(built)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["articles"] and info["model"] == FAKE_MODEL and info["dimension"] == 64
    assert main(["delete", "no-such-id", "--index", str(built)]) == 2
    assert "error: no article with id or url 'no-such-id'" in capsys.readouterr().err


def test_bad_inputs_give_one_line_and_the_batch_goes_on(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Harbour flooded\n\nA storm flooded the harbour.")
    (tmp_path / "bad.jsonl").write_text('{"title": "ok", "text": "Fine text."}\n{not json\n')
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.md").write_text("")
    folder = tmp_path / "ix"
    code = main(["ingest", str(tmp_path), str(tmp_path / "missing.txt"), "--index", str(folder),
                 "--quiet", "--model", FAKE_MODEL])
    captured = capsys.readouterr()
    assert code == 0
    assert "2 added" in captured.out
    err = captured.err
    assert "Traceback" not in err
    assert "bad.jsonl:line 2" in err
    assert "latin1.txt" in err and "UTF-8" in err
    assert "empty.md" in err
    assert "missing.txt" in err


def test_errors_without_traceback(tmp_path, capsys):
    assert main(["retrieve", "anything", "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.startswith("error: no index at")
    (tmp_path / "empty").mkdir()
    empty = tmp_path / "empty"
    assert main(["ingest", str(empty), "--index", str(tmp_path / "ix"), "--model", FAKE_MODEL]) == 1
    assert "no supported" in capsys.readouterr().err.lower()


def test_empty_question(built, capsys):
    assert main(["ask", "   ", "--index", str(built)]) == 2
    assert "question is empty" in capsys.readouterr().err


def test_help_explains_every_command():
    text = build_parser().format_help()
    for command in ("ingest", "retrieve", "ask", "info", "delete"):
        assert command in text


def test_watch_delay_default_is_the_fetchers():
    from qa.cli import DEFAULT_FEED_DELAY
    from qa.fetch import DEFAULT_DELAY

    assert DEFAULT_FEED_DELAY == DEFAULT_DELAY  # written twice so --help needs no HTTP client


def test_today_reads_time_words_from_the_date_asked(built, capsys):
    # "last week" is the week before the date asked on (the sample article is undated, so
    # no period holds it and all dates are searched, as the note says).
    question = "How many Armenian officers will study in Russia last week?"
    assert main(["retrieve", question, "--today", "2023-12-08", "--index", str(built)]) == 0
    assert "note: dates: last week → 2023-11-27 to 2023-12-03" in capsys.readouterr().err
    assert main(["ask", question, "--today", "2024-01-20", "--index", str(built)]) == 0
    assert "dates: last week → 2024-01-08 to 2024-01-14, but no article is dated then" in (
        capsys.readouterr().out
    )


def test_a_badly_written_today_is_a_usage_error(built, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["ask", "Who?", "--today", "5 March", "--index", str(built)])
    assert exit_info.value.code == 2
    assert "'5 March' is not a date written YYYY-MM-DD" in capsys.readouterr().err
