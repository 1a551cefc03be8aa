"""Load news articles from files, folders or pasted text into normalised ``Article`` records.

Formats: plain text, Markdown with YAML front matter, HTML pages, JSON / JSON Lines, and
RSS / Atom feeds. Every user mistake (missing file, bad encoding, bad JSON, empty article...)
becomes a one-line message naming the file and the problem: ``load_file`` raises it as a
``LoadError``; ``load_paths`` collects it as a ``Skipped`` entry and loads the rest.

The text is normalised once, here (``normalise_text``), and never rewritten later: every
citation offset downstream points into exactly this text.

The modules, each importing only those below it:

    files.py     load_paths, load_file, parse_text: folders, links, format detection, dispatch
    markdown.py  plain text and Markdown (+ YAML front matter); markdown_to_text, markdown_blocks
    json.py      JSON and JSON Lines records
    feeds.py     RSS / Atom; feed_entry_article and entry_has_content (shared with qa.watch)
    html.py      HTML pages (trafilatura) and HTML fragments as text
    article.py   make_article, article_id, normalise_text, parse_date and the shared helpers
"""

from qa.load.article import RenderedBlock, article_id, make_article, normalise_text, parse_date
from qa.load.feeds import entry_has_content, feed_entry_article
from qa.load.files import SUPPORTED_SUFFIXES, LoadResult, load_file, load_paths, parse_text
from qa.load.files import _supported_files as _supported_files  # used by qa.distributed
from qa.load.html import parse_html
from qa.load.markdown import ITEM_LEVEL, TEXT_LEVEL, markdown_blocks, markdown_to_text
from qa.records import Skipped

__all__ = [
    "ITEM_LEVEL",
    "SUPPORTED_SUFFIXES",
    "TEXT_LEVEL",
    "LoadResult",
    "RenderedBlock",
    "Skipped",
    "article_id",
    "entry_has_content",
    "feed_entry_article",
    "load_file",
    "load_paths",
    "make_article",
    "markdown_blocks",
    "markdown_to_text",
    "normalise_text",
    "parse_date",
    "parse_html",
    "parse_text",
]
