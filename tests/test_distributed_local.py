"""qa.distributed without a Ray cluster: the error when Ray is missing, the loader's
inputs, and answers over the wire. Fast; no ``ray`` marker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qa import Index
from qa.cli import main
from qa.distributed import INSTALL_HINT, RayNotInstalledError
from qa.load import make_article

from .conftest import FAKE_MODEL, ROOT, SAMPLE, FakeEmbedder


def test_a_missing_ray_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with Index.open(tmp_path / "ix", create=True, embedder=FakeEmbedder()) as index:
        with pytest.raises(RayNotInstalledError, match=r"pip install -e '\.\[ray\]'"):
            index.add([make_article(title="A", text="Some text here.")], engine="ray")
        with pytest.raises(ValueError, match="unknown ingest engine 'spark'"):
            index.add([], engine="spark")
    code = main(["ingest", str(ROOT / "data"), "--index", str(tmp_path / "cli"),
                 "--model", FAKE_MODEL, "--quiet", "--engine", "ray"])  # fmt: skip
    assert code == 2
    assert INSTALL_HINT in capsys.readouterr().err


def test_paths_are_the_ones_load_paths_reads(tmp_path):
    from qa.distributed.ingest import _load_items

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.md").write_text("# A\n\nText.")
    (tmp_path / "d" / ".hidden.md").write_text("# H\n\nText.")
    (tmp_path / "d" / "b.bin").write_bytes(b"\0")
    named = tmp_path / "d" / "a.md"
    (tmp_path / "outside.md").write_text("# O\n\nText.")
    (tmp_path / "d" / "link.md").symlink_to(tmp_path / "outside.md")
    items, links = _load_items([tmp_path / "d", named, tmp_path / "nothing"])
    assert items == [str(named), str(tmp_path / "nothing")]
    assert [s.path for s in links] == [str(tmp_path / "d" / "link.md")]  # reported, not read
    assert _load_items([Path(tmp_path / "empty")]) == ([str(tmp_path / "empty")], [])


@pytest.mark.model
def test_an_answer_survives_the_wire_whole(sample_index):
    """What the Ray Serve ingress sends is the complete Answer: citations with their articles
    and paragraphs, passages with sentences; JSON in between, as over HTTP."""
    import json

    from qa.distributed.wire import answer_from_plain, to_plain

    answer = sample_index.ask("What did Ohanian say?")
    assert answer.citations and answer.citations[0].paragraph
    back = answer_from_plain(json.loads(json.dumps(to_plain(answer))))
    assert back == answer
    assert SAMPLE.name in back.citations[0].article.path

