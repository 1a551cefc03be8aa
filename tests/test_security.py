"""Security of the inputs and the web app (RELIABILITY.md, "Security"), without a browser:
links out of an ingested folder, upload limits and names, files the app may read, direction
overrides, where the app listens. The XSS corpus in a real browser is
``test_security_browser.py``."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

import app
from qa import Index
from qa.cli import main as cli
from qa.load import load_paths, make_article
from qa.present import escape_markdown, show_bidi_controls, sources_html

from .conftest import FAKE_MODEL, loopback_http, running_app

STORY = "Storm hits coast\n\nA storm flooded the harbour. Fishermen lost 40 boats."


# -- symbolic links -------------------------------------------------------------------------------
@pytest.fixture
def linked_folder(tmp_path) -> Path:
    """articles/ with a file, a link to a file inside, links to a file and a folder outside,
    and a link back to its own parent (a cycle)."""
    outside = tmp_path / "private"
    (outside / "notes").mkdir(parents=True)
    (outside / "diary.txt").write_text("Private diary\n\nMy secret plans for Tuesday.")
    (outside / "notes" / "more.md").write_text("# More\n\nAnother private note.")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "storm.txt").write_text(STORY)
    (folder / "sub" / "same-storm.txt").symlink_to(folder / "storm.txt")
    (folder / "diary.txt").symlink_to(outside / "diary.txt")
    (folder / "notes").symlink_to(outside / "notes", target_is_directory=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    return folder


def test_links_out_of_a_folder_are_skipped_and_reported(linked_folder):
    loaded = load_paths([linked_folder])
    assert [a.title for a in loaded.articles] == ["Storm hits coast"]
    reasons = {Path(s.path).name: s.reason for s in loaded.skipped}
    assert set(reasons) == {"diary.txt", "notes"}
    assert all("outside the folder; not followed (pass --follow-links" in r
               for r in reasons.values())  # fmt: skip


def test_follow_links_reads_them_without_looping(linked_folder):
    loaded = load_paths([linked_folder], follow_links=True)
    titles = sorted(a.title for a in loaded.articles)
    assert titles == ["More", "Private diary", "Storm hits coast"]  # each file once
    assert loaded.skipped == []


def test_a_file_named_explicitly_is_read_even_as_a_link(linked_folder):
    loaded = load_paths([linked_folder / "diary.txt"])
    assert [a.title for a in loaded.articles] == ["Private diary"]


def test_ingest_command_refuses_links_unless_asked(linked_folder, tmp_path, capsys):
    index = tmp_path / "ix"
    args = ["ingest", str(linked_folder), "--index", str(index), "--model", FAKE_MODEL, "--quiet"]
    assert cli(args) == 0
    out = capsys.readouterr()
    assert "1 added" in out.out and "diary.txt: a symbolic link to" in out.err
    assert cli([*args, "--follow-links"]) == 0
    assert "2 added" in capsys.readouterr().out  # the diary and the note, now asked for
    assert "--follow-links" in _help("ingest")


def _help(command: str) -> str:
    from qa.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return sub.format_help()


# -- upload limits --------------------------------------------------------------------------------
def test_upload_count_and_total_size_are_limited(fake_index, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    folder.mkdir()
    many = []
    for i in range(app.MAX_UPLOAD_FILES + 1):
        path = folder / f"story-{i}.txt"
        path.write_text(f"Story {i}\n\nSomething happened, part {i}.")
        many.append(str(path))
    report = app.add_articles(fake_index, many, "")
    assert report.startswith(f"**Nothing added:** {app.MAX_UPLOAD_FILES + 1} files is more than")
    assert fake_index.info().articles == 0

    # A small budget (50 KB) stands for the real one: the rule is the same, the ingest short.
    monkeypatch.setattr(app, "MAX_UPLOAD_TOTAL_MB", 0.05)
    big = [folder / f"big-{i}.txt" for i in range(3)]
    for i, path in enumerate(big):
        path.write_text(f"Big {i}\n\nReport {i}. " + "Words of a long report. " * 900)
    report = app.add_articles(fake_index, [str(p) for p in big], "")
    assert report.startswith("**2 added, 0 updated, 0 unchanged, 1 skipped**")
    assert "Skipped big-2.txt: the files of one upload may total 0.05 MB" in report


def test_archives_are_not_accepted(fake_index, tmp_path):
    """No archive format is read, so nothing is decompressed: no archive bombs."""
    bomb = tmp_path / "news.json.gz"
    bomb.write_bytes(gzip.compress(b'{"text": "' + b"a" * 10_000_000 + b'"}'))
    report = app.add_articles(fake_index, [str(bomb)], "")
    assert "Skipped news.json.gz:" in report and "unsupported" in report.lower()
    assert fake_index.info().articles == 0
    assert not any(s.endswith((".zip", ".gz", ".tar", ".bz2", ".xz", ".7z"))
                   for s in app.SUPPORTED_SUFFIXES)  # fmt: skip


# -- uploads through the real server --------------------------------------------------------------
HOSTILE_NAMES = [
    "../../../../tmp/newsqa-escape-{tag}.txt",
    "/etc/newsqa-{tag}.txt",
    "..\\..\\newsqa-{tag}.txt",
    "<img src=x onerror=alert(1)>-{tag}.txt",
    "\u202etxt.{tag}.exe.txt",
    "a\x00b-{tag}.txt",
]


def test_upload_names_cannot_leave_the_upload_folder(fake_index, tmp_path):
    tag = os.urandom(4).hex()
    names = [n.format(tag=tag) for n in HOSTILE_NAMES]
    with running_app(fake_index) as url:
        files = [("files", (name, f"{STORY} Part {i}.".encode(), "text/plain"))
                 for i, name in enumerate(names)]  # fmt: skip
        with loopback_http(timeout=60) as http:
            reply = http.post(f"{url}gradio_api/upload", files=files)
        assert reply.status_code == 200, reply.text
        stored = [Path(p) for p in reply.json()]
        uploads = stored[0].parent.parent  # Gradio's upload folder: <it>/<hash>/<name>
        for path in stored:
            assert path.resolve().is_relative_to(uploads.resolve()), path
            assert "/" not in path.name and "\\" not in path.name and "\x00" not in path.name
        assert not list(Path("/tmp").glob(f"newsqa-escape-{tag}*"))
        assert not list(Path("/etc").glob(f"newsqa-{tag}*"))
        report = _call(url, "ingest", [[_file(p) for p in stored[3:5]], ""])
    assert report.startswith("**2 added, 0 updated, 0 unchanged, 0 skipped**")
    assert "<img" not in report and "\u202e" not in report


def test_the_app_reads_only_files_uploaded_to_it(fake_index, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Top secret\n\nThe launch codes are 1234.")
    with running_app(fake_index) as url:
        reply = _call(url, "ingest", [[_file(secret)], ""], expect_error=True)
    assert "not uploaded by a user" in reply
    assert fake_index.info().articles == 0


def _file(path: Path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}}


def _call(url: str, endpoint: str, data: list, expect_error: bool = False) -> str:
    """Call an event of the app over Gradio's HTTP API; the first output (or the error)."""
    import json

    with loopback_http(timeout=120) as http:
        started = http.post(f"{url}gradio_api/call/{endpoint}", json={"data": data})
        assert started.status_code == 200, started.text
        event = started.json()["event_id"]
        stream = http.get(f"{url}gradio_api/call/{endpoint}/{event}").text
    kind = stream.split("event: ")[-1].split("\n", 1)[0]
    payload = stream.rsplit("data: ", 1)[-1].strip()
    if expect_error:
        assert kind == "error", stream
        return payload
    assert kind == "complete", stream
    return json.loads(payload)[0]


# -- what the page shows --------------------------------------------------------------------------
def test_direction_overrides_are_shown_not_obeyed():
    spoof = "Annual report\u202efdp.exe"
    assert show_bidi_controls(spoof) == "Annual report[U+202E]fdp.exe"
    assert "\u202e" not in escape_markdown(spoof)
    article = make_article(title=spoof, text=f"It said {spoof}.", source="x\u2066y")
    from qa.records import Answer, Citation

    citation = Citation(1, article, article.text, 0, len(article.text), 0)
    answer = Answer("q", "x [1]", abstained=False, confidence=1.0, citations=(citation,))
    shown = sources_html(answer)
    assert "\u202e" not in shown and "\u2066" not in shown
    assert "Annual report[U+202E]fdp.exe" in shown
    assert answer.citations[0].sentence == article.text  # stored and cited text unchanged


def test_wider_binding_without_a_login_is_warned_about(tmp_path, capsys):
    code = app.main(["--host", "0.0.0.0", "--index", str(tmp_path / "none"),
                     "--data", str(tmp_path / "nothing")])  # fmt: skip
    assert code == 2  # no index and nothing to build one from: it stops before serving
    err = capsys.readouterr().err
    assert "reachable from other machines without a password" in err and "--auth" in err
    assert app.main(["--auth", "nopassword"]) == 2
    assert "USER:PASSWORD" in capsys.readouterr().err


def test_index_folder_is_not_world_writable(tmp_path, fake_embedder):
    with Index.open(tmp_path / "ix", create=True, embedder=fake_embedder) as index:
        index.add([make_article(title="A", text="Something.")])
    for path in (tmp_path / "ix").rglob("*"):
        assert not path.stat().st_mode & 0o002, f"{path} is world-writable"


def test_pasted_feed_text_is_never_fetched_or_opened_as_a_path(tmp_path):
    """feedparser.parse(str) fetches a string that looks like a URL and opens one that names a
    file: pasted text must only ever be parsed as the feed it is (found by tests/fuzz)."""
    import http.server
    import threading

    from qa.errors import LoadError
    from qa.load import parse_text

    from .conftest import free_port

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            body = (b"<rss version='2.0'><channel><item><title>Fetched</title>"
                    b"<description>The server fetched this.</description></item></channel></rss>")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.xml"
    secret.write_text("<rss version='2.0'><channel><item><title>Secret</title>"
                      "<description>A file of the server.</description></item></channel></rss>")
    try:
        for pasted in (f"http://127.0.0.1:{port}/feed.xml", str(secret)):
            try:
                articles = parse_text(pasted, fmt="feed")
            except LoadError:
                articles = []
            assert not any(a.title in ("Fetched", "Secret") for a in articles)
    finally:
        server.shutdown()
    assert requests == []
