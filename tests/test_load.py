"""Tests for qa.load: every input format, ids, dates, and every bad-input message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.errors import LoadError
from qa.load import (
    SUPPORTED_SUFFIXES,
    Skipped,
    article_id,
    load_file,
    load_paths,
    make_article,
    normalise_text,
    parse_date,
    parse_text,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "shoigu-azerbaijan-armenia-military-ties.md"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_1333d49264e5efcb.txt"

BODY = "The council voted on Tuesday to build a new bridge.\nWork starts in spring, it said."

HTML_PAGE = """<!DOCTYPE html>
<html><head>
<title>Council approves bridge</title>
<meta name="author" content="Jane Doe">
<meta property="og:title" content="Council approves bridge">
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2024-03-05T10:30:00+01:00">
<link rel="canonical" href="https://example.com/news/bridge">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Council approves bridge</h1>
<p>The council voted on Tuesday to build a new bridge across the river, officials said.</p>
<p>Construction will start next spring and cost about 12 million euros, the mayor said.</p>
</article>
<footer>Contact us</footer>
</body></html>
"""

RSS_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Wire Service</title>
<link>https://wire.example</link>
<item>
  <title>Bridge approved</title>
  <link>https://wire.example/bridge</link>
  <pubDate>Tue, 05 Mar 2024 10:30:00 +0100</pubDate>
  <author>desk@wire.example (Jane Doe)</author>
  <description>Short summary only.</description>
  <content:encoded><![CDATA[<p>The council voted <b>on Tuesday</b>.</p>
    <p>Work starts in spring.</p>]]></content:encoded>
</item>
<item>
  <title>Rates held</title>
  <link>https://wire.example/rates</link>
  <pubDate>Wed, 06 Mar 2024 08:00:00 GMT</pubDate>
  <description>&lt;p&gt;The bank held rates &amp;amp; said little.&lt;/p&gt;</description>
</item>
</channel>
</rss>
"""

ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom News</title>
  <id>urn:uuid:1</id>
  <updated>2024-03-07T09:00:00Z</updated>
  <entry>
    <title>Election called</title>
    <link href="https://atom.example/election"/>
    <id>urn:uuid:2</id>
    <published>2024-03-07T09:00:00Z</published>
    <author><name>Sam Lee</name></author>
    <content type="html">&lt;p&gt;The prime minister called an election.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only(articles: list) -> object:
    assert len(articles) == 1, articles
    return articles[0]


# ---------------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------------


def test_txt_headline_becomes_title_and_is_removed_from_text(tmp_path: Path) -> None:
    path = write(tmp_path, "x.txt", "Council approves bridge\n\n" + BODY + "\n")
    article = only(load_file(path))
    assert article.title == "Council approves bridge"
    assert article.text == BODY
    assert article.path == str(path)
    assert article.source == ""
    assert article.id.startswith("h")


@pytest.mark.parametrize(
    "first_line",
    [
        "The council voted on Tuesday to build a new bridge.",  # a sentence, not a headline
        "x" * 121,  # too long for a headline
    ],
)
def test_txt_without_headline_takes_title_from_file_name(tmp_path: Path, first_line: str) -> None:
    path = write(tmp_path, "shoigu-meets-hasanov_2024.txt", first_line + "\nMore text follows.")
    article = only(load_file(path))
    assert article.title == "Shoigu meets hasanov 2024"
    assert article.text == first_line + "\nMore text follows."


def test_txt_hard_wrapped_first_sentence_is_not_a_headline(tmp_path: Path) -> None:
    text = "The council voted on Tuesday to build\na new bridge across the river."
    article = only(load_file(write(tmp_path, "wrapped.txt", text)))
    assert article.title == "Wrapped"
    assert article.text == text


def test_txt_single_line_is_text_not_title(tmp_path: Path) -> None:
    article = only(load_file(write(tmp_path, "one-line.txt", "Only a headline-like line")))
    assert article.title == "One line"
    assert article.text == "Only a headline-like line"


@pytest.mark.parametrize(
    ("credit", "source"),
    [
        ("Claire © armenews.com", "armenews.com"),
        ("© Reuters 2024", "Reuters"),
        ("Source: BBC News", "BBC News"),
        ("Copyright 2024 Associated Press. All rights reserved.", "Associated Press"),
        ("The mayor said the bridge would open in 2026.", ""),
    ],
)
def test_txt_trailing_credit_line_sets_source_and_stays_in_text(
    tmp_path: Path, credit: str, source: str
) -> None:
    path = write(tmp_path, "c.txt", f"Headline here\n\n{BODY}\n{credit}\n")
    article = only(load_file(path))
    assert article.source == source
    assert article.text.endswith(credit)


def test_bundled_sample_loads_exactly() -> None:
    article = only(load_file(SAMPLE))
    assert article.title.startswith("Shoigu welcomes “strategic” military ties")
    assert article.source == "armenews.com"
    # The body is the seed article, character for character (citations quote it).
    assert article.text == normalise_text(SEED.read_text(encoding="utf-8"))
    assert article.text.endswith("Claire © armenews.com")
    assert "“strategic”" in article.text  # curly quotes kept for exact citations
    assert article.id == article_id("", article.text)


def test_seed_txt_takes_title_from_file_name_and_source_from_credit() -> None:
    article = only(load_file(SEED))
    assert article.title == "000 1333d49264e5efcb"  # first line is a long sentence
    assert article.source == "armenews.com"
    assert article.text.startswith("While exposing to criticism from Armenia")


def test_windows_line_endings_bom_and_nbsp_are_normalised(tmp_path: Path) -> None:
    raw = "\ufeffBridge vote\r\n\r\nThe\u00a0council voted.  \r\nIt was close.\r\n"
    article = only(load_file(write(tmp_path, "w.txt", raw.encode("utf-8"))))
    assert article.title == "Bridge vote"
    assert article.text == "The council voted.\nIt was close."


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def test_markdown_front_matter_fields(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Council approves bridge\ndate: 2024-03-05\nsource: Example Times\n"
        "url: https://example.com/bridge\nauthor: Jane Doe\n---\n\n"
        "# Council approves bridge\n\nThe council voted.\n\n## Cost\n\nIt costs **12m**.\n"
    )
    article = only(load_file(write(tmp_path, "a.md", md)))
    assert article.title == "Council approves bridge"
    assert article.published == "2024-03-05"
    assert article.source == "Example Times"
    assert article.url == "https://example.com/bridge"
    assert article.author == "Jane Doe"
    # Rendered as a reader sees it: no heading or emphasis markers, the repeated title dropped.
    assert article.text == "The council voted.\n\nCost\n\nIt costs 12m."
    assert article.id == article_id("https://example.com/bridge", "")


def test_markdown_title_from_first_heading_which_is_removed(tmp_path: Path) -> None:
    md = "---\npublished_at: 5 March 2024 10:30\n---\n# Bridge vote\n\nThe council voted.\n"
    article = only(load_file(write(tmp_path, "b.markdown", md)))
    assert article.title == "Bridge vote"
    assert article.text == "The council voted."
    assert article.published == "2024-03-05T10:30:00"


def test_markdown_without_front_matter_or_heading_uses_file_name(tmp_path: Path) -> None:
    article = only(load_file(write(tmp_path, "city-news.md", "## Section\n\nText here.\n")))
    assert article.title == "City news"
    assert article.text == "Section\n\nText here."


def test_jekyll_published_flag_does_not_hide_the_date(tmp_path: Path) -> None:
    md = "---\ntitle: 2025 March 05\ndate: 2025-03-05\npublished: true\n---\nText.\n"
    assert only(load_file(write(tmp_path, "d.md", md))).published == "2025-03-05"


def test_markdown_links_lists_and_lines_render_as_prose(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Day\n---\n#### Conflicts\n\n"
        "* [Gaza war](https://en.wikipedia.org/wiki/Gaza_war \"Gaza war\")\n"
        "  * The [United States](https://x.example/us) begins *direct* talks. "
        "[(Reuters)](https://reuters.example/a)\n\n"
        "Line one of a paragraph.\nLine two, kept on its own line.\n"
    )
    article = only(load_file(write(tmp_path, "day.md", md)))
    assert article.text == (
        "Conflicts\n\nGaza war\n\nThe United States begins direct talks. (Reuters)\n\n"
        "Line one of a paragraph.\nLine two, kept on its own line."
    )


def test_markdown_bad_yaml_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nBody.\n")
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert caught.value.path == str(path)
    assert caught.value.problem.startswith("front matter is not valid YAML")


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_html_fields(tmp_path: Path) -> None:
    article = only(load_file(write(tmp_path, "page.html", HTML_PAGE)))
    assert article.title == "Council approves bridge"
    assert article.source == "Example Times"
    assert article.url == "https://example.com/news/bridge"
    assert article.author == "Jane Doe"
    assert article.published == "2024-03-05T10:30:00+01:00"
    assert article.text.startswith("The council voted on Tuesday")  # <h1> title not repeated
    assert "12 million euros" in article.text
    assert "Home" not in article.text and "Contact us" not in article.text  # boilerplate gone
    assert article.id == article_id("https://example.com/news/bridge", "")


def test_html_in_another_declared_encoding(tmp_path: Path) -> None:
    page = HTML_PAGE.replace("<head>", '<head><meta charset="iso-8859-1">').replace(
        "12 million euros", "12 million €uros café"
    )
    path = write(tmp_path, "latin.htm", page.replace("€", "").encode("iso-8859-1"))
    assert "café" in only(load_file(path)).text


def test_html_without_text_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.html", "<html><head><title>x</title></head><body></body></html>")
    with pytest.raises(LoadError, match=r"empty\.html: no article text found in this HTML"):
        load_file(path)


# ---------------------------------------------------------------------------------------------
# JSON and JSON Lines
# ---------------------------------------------------------------------------------------------


def test_json_list_with_field_variants(tmp_path: Path) -> None:
    records = [
        {
            "title": "One",
            "text": "First text.",
            "source": "Wire",
            "url": "https://a.example/1",
            "published": "2024-03-05",
            "author": "Ann",
        },
        {"title": "Two", "body": "Second text.", "source": {"name": "Daily"}, "date": 1709632800},
        {"content": "Third text, no title.", "published_at": "2024-03-07T08:00:00Z"},
    ]
    one, two, three = load_file(write(tmp_path, "a.json", json.dumps(records)))
    assert (one.title, one.text, one.source, one.url, one.published, one.author) == (
        "One",
        "First text.",
        "Wire",
        "https://a.example/1",
        "2024-03-05",
        "Ann",
    )
    assert (two.text, two.source, two.published) == (
        "Second text.",
        "Daily",
        "2024-03-05T10:00:00+00:00",
    )
    assert (three.title, three.published) == ("Third text, no title.", "2024-03-07T08:00:00+00:00")


@pytest.mark.parametrize(
    "data",
    [{"title": "T", "text": "Body."}, {"articles": [{"title": "T", "text": "Body."}]}],
)
def test_json_single_object_and_articles_wrapper(tmp_path: Path, data: dict) -> None:
    article = only(load_file(write(tmp_path, "o.json", json.dumps(data))))
    assert (article.title, article.text) == ("T", "Body.")


def test_jsonl_one_corrupt_line_skips_only_that_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "A", "text": "Alpha."}),
        '{"title": "B", "text": "Beta.',  # cut off mid-string
        "",
        json.dumps({"title": "C", "text": "Gamma."}),
        json.dumps({"title": "D"}),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = load_paths([path])
    assert [a.title for a in result.articles] == ["A", "C"]
    assert [s.path for s in result.skipped] == [f"{path}:line 2", f"{path}:line 5"]
    assert result.skipped[0].reason.startswith("not valid JSON (Unterminated string")
    assert str(result.skipped[1]) == (
        f'{path}:line 5: no text field (expected "text", "body" or "content")'
    )
    # load_file is strict: the same file raises, naming the first bad line.
    with pytest.raises(LoadError, match=r"feed\.jsonl:line 2: not valid JSON .*1 more problems"):
        load_file(path)


def test_json_record_without_text_is_skipped_others_load(tmp_path: Path) -> None:
    data = [{"title": "Good", "text": "Fine."}, {"title": "Bad", "summary": "no text field"}]
    path = write(tmp_path, "r.json", json.dumps(data))
    result = load_paths([path])
    assert [a.title for a in result.articles] == ["Good"]
    assert result.skipped == [
        Skipped(f"{path}:record 2", 'no text field (expected "text", "body" or "content")')
    ]


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[\n  {"title": "A" "text": "x"}\n]')
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert (
        str(caught.value)
        == f"{path}: not valid JSON (Expecting ',' delimiter at line 2, column 17)"
    )


def test_json_object_without_text_field_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", '{"title": "No body"}')
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert str(caught.value) == f'{path}: no text field (expected "text", "body" or "content")'


# ---------------------------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------------------------


def test_rss_feed_entries(tmp_path: Path) -> None:
    first, second = load_file(write(tmp_path, "wire.rss", RSS_FEED))
    assert first.title == "Bridge approved"
    assert first.text == "The council voted on Tuesday.\n\nWork starts in spring."  # content wins
    assert first.url == "https://wire.example/bridge"
    assert first.published == "2024-03-05T10:30:00+01:00"
    assert first.source == "Wire Service"
    assert "Jane Doe" in first.author
    assert second.text == "The bank held rates & said little."  # from summary, HTML stripped
    assert second.published == "2024-03-06T08:00:00+00:00"
    assert first.id == article_id("https://wire.example/bridge", "")


def test_atom_feed_entry(tmp_path: Path) -> None:
    article = only(load_file(write(tmp_path, "news.atom", ATOM_FEED)))
    assert (article.title, article.text, article.source, article.author) == (
        "Election called",
        "The prime minister called an election.",
        "Atom News",
        "Sam Lee",
    )
    assert article.published == "2024-03-07T09:00:00+00:00"
    assert article.url == "https://atom.example/election"


def test_xml_that_is_not_a_feed_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "data.xml", "<?xml version='1.0'?><catalog><book>x</book></catalog>")
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert str(caught.value) == f"{path}: not an RSS or Atom feed (no feed entries found)"


def test_feed_without_entries_is_a_load_error(tmp_path: Path) -> None:
    feed = '<rss version="2.0"><channel><title>Empty</title></channel></rss>'
    with pytest.raises(LoadError, match=r"e\.rss: the feed has no entries$"):
        load_file(write(tmp_path, "e.rss", feed))


# ---------------------------------------------------------------------------------------------
# load_paths: folders and bad inputs
# ---------------------------------------------------------------------------------------------


def test_folder_recursion_sorted_hidden_and_unsupported_skipped(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", "Bee headline\n\nBee text.")
    write(tmp_path, "a/z.md", "# Zed\n\nZed text.")
    write(tmp_path, "a/deeper/c.json", json.dumps({"title": "Sea", "text": "Sea text."}))
    write(tmp_path, ".hidden.txt", "Hidden\n\nNever loaded.")
    write(tmp_path, ".git/d.txt", "Hidden folder\n\nNever loaded.")
    write(tmp_path, "notes.pdf", "not supported, silently ignored in a folder")
    result = load_paths([tmp_path])
    assert [a.title for a in result.articles] == ["Sea", "Zed", "Bee headline"]
    assert result.skipped == []


def test_bad_inputs_are_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", "Good headline\n\nGood text.")
    latin1 = write(tmp_path, "latin1.txt", "Caf\xe9 au lait\n\nText.".encode("latin-1"))
    empty = write(tmp_path, "empty.txt", " \n\n \n")
    bad_json = write(tmp_path, "bad.json", "{not json")
    pdf = write(tmp_path, "report.pdf", b"%PDF-1.4")
    empty_folder = tmp_path / "nothing"
    write(empty_folder, "readme.pdf", b"x")
    missing = tmp_path / "missing.txt"

    result = load_paths([missing, good, latin1, empty, bad_json, pdf, empty_folder])

    assert [a.title for a in result.articles] == ["Good headline"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons == {
        str(missing): "no such file or folder",
        str(latin1): "not valid UTF-8 text (try saving it as UTF-8)",
        str(empty): "the file is empty",
        str(bad_json): "not valid JSON (Expecting property name enclosed in double quotes"
        " at line 1, column 2)",
        str(pdf): 'unsupported file type ".pdf" (supported: ' + ", ".join(SUPPORTED_SUFFIXES) + ")",
        str(empty_folder): "no supported files in this folder (looked for "
        + ", ".join(SUPPORTED_SUFFIXES)
        + ")",
    }


def test_same_file_twice_loads_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Headline\n\nText.")
    assert len(load_paths([path, tmp_path, str(path)]).articles) == 1


def test_load_file_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_file(tmp_path / "nope.txt")
    with pytest.raises(LoadError, match="is a folder"):
        load_file(tmp_path)
    with pytest.raises(LoadError, match="binary file"):
        load_file(write(tmp_path, "bin.txt", b"abc\x00def"))
    with pytest.raises(LoadError, match='unsupported file type ".docx"'):
        load_file(write(tmp_path, "x.docx", b"x"))


# ---------------------------------------------------------------------------------------------
# parse_text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ('[{"title": "J", "text": "Json body."}]', "J", "Json body."),
        ('{"title": "A", "text": "One."}\n{"title": "B", "text": "Two."}', "A", "One."),
        ("---\ntitle: M\n---\nMarkdown body.", "M", "Markdown body."),
        ("<p>An HTML snippet. It is short.</p>", "An HTML snippet. It is short.", None),
        (RSS_FEED, "Bridge approved", None),
        ("Plain headline\n\nPlain body.", "Plain headline", "Plain body."),
        ("Just one plain sentence.", "Just one plain sentence.", "Just one plain sentence."),
    ],
)
def test_parse_text_detects_format(text: str, title: str, body: str | None) -> None:
    first = parse_text(text)[0]
    assert first.title == title
    assert first.path == ""
    if body is not None:
        assert first.text == body


def test_parse_text_jsonl_gives_every_line() -> None:
    articles = parse_text('{"text": "One."}\n{"text": "Two."}')
    assert [a.text for a in articles] == ["One.", "Two."]


def test_parse_text_fmt_override_and_errors() -> None:
    assert parse_text('{"text": "x"}', fmt="text")[0].text == '{"text": "x"}'
    with pytest.raises(LoadError) as caught:
        parse_text("[1, 2", name="clipboard")
    assert caught.value.path == "clipboard"
    assert caught.value.problem.startswith("not valid JSON")
    with pytest.raises(LoadError, match="pasted text: the article is empty"):
        parse_text("   \n  ")
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        parse_text("x", fmt="pdf")


def test_parse_text_long_first_line_title_is_shortened() -> None:
    text = "word " * 40 + "end."
    title = parse_text(text)[0].title
    assert title.endswith("…") and len(title) <= 81
    assert text.startswith(title[:-1])


# ---------------------------------------------------------------------------------------------
# ids, dates, make_article, normalise_text
# ---------------------------------------------------------------------------------------------


def test_article_id_from_url_is_normalised_and_stable() -> None:
    expected = "u" + hashlib.sha1(b"https://example.com/news/1?x=1").hexdigest()[:16]
    assert article_id("https://example.com/news/1?x=1", "any text") == expected
    assert article_id("HTTPS://Example.COM/news/1/?x=1#top", "other text") == expected
    assert article_id("https://example.com/news/1?x=1", "") == expected
    assert article_id("https://example.com/news/2", "any text") != expected
    assert article_id("https://example.com/News/1?x=1", "") != expected  # paths are case-sensitive


def test_article_id_from_text_when_no_url() -> None:
    expected = "h" + hashlib.sha1(b"Hello world.").hexdigest()[:16]
    assert article_id("", "Hello world.") == expected
    assert article_id("  ", "  Hello world.  \r\n") == expected  # normalised first
    assert article_id("", "Hello world!") != expected
    assert article_id("", "Hello world.") == "he44f3364019d18a1"  # fixed across runs


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("5 March 2024", "2024-03-05"),
        ("March 2024", "2024-03-01"),
        ("2024-03-05T10:30:00", "2024-03-05T10:30:00"),
        ("2024-03-05T10:30:00+01:00", "2024-03-05T10:30:00+01:00"),
        ("Tue, 05 Mar 2024 10:30:00 +0100", "2024-03-05T10:30:00+01:00"),
        ("14 февраля 2024", "2024-02-14"),
        ("yesterday", ""),
        ("3 days ago", ""),
        ("5 March", ""),  # no year: not guessed
        ("not a date", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_parse_date(value: str | None, expected: str) -> None:
    assert parse_date(value) == expected


def test_make_article_normalises_and_derives_id() -> None:
    article = make_article(
        title="  Bridge\n vote ", text="Text.\r\n\r\n\r\nMore.", published="5 March 2024"
    )
    assert article.title == "Bridge vote"
    assert article.text == "Text.\n\nMore."
    assert article.published == "2024-03-05"
    assert article.id == article_id("", "Text.\n\nMore.")
    assert make_article(title="", text="First line.\nSecond.").title == "First line."
    with pytest.raises(LoadError, match="a.txt: the article is empty"):
        make_article(title="T", text=" \n ", path="a.txt")


def test_normalise_text_rules() -> None:
    raw = "  Caf\u0065\u0301\u00a0“quoted”\t \r\n\r\n\r\n\r\nnext\rline  \n\n\n"
    assert normalise_text(raw) == "Caf\u00e9 “quoted”\n\nnext\nline"
    assert normalise_text("a\n\nb") == "a\n\nb"  # one blank line is kept
    assert normalise_text("") == ""


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalise_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and "\u00a0" not in once
    assert all(line == line.rstrip() for line in once.split("\n"))


@given(st.text(alphabet="ab \n\r\t\u00a0", max_size=60))
def test_normalise_text_is_idempotent_on_whitespace_heavy_text(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once == once.strip()


def test_control_characters_and_lone_surrogates_are_cleaned() -> None:
    text = normalise_text("zebras\x00 in Kenya\ud800 roam\x07.")
    assert "\x00" not in text and "\x07" not in text
    text.encode("utf-8")  # storable
    assert text.startswith("zebras in Kenya")
