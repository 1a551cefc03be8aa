"""The present step: answers, citations, passages and reports as plain text (the CLI),
Markdown (the chat) and HTML (the sources panel). The CLI and the app only lay these out.

Everything here works from the records alone (``Answer``, ``Citation`` with its paragraph,
``Passage``, ``IndexInfo``, ``IngestReport``): presenting an answer reads nothing more from the
store. Article text is untrusted input (a scraped page may contain ``<script>`` or Markdown
that would restyle a chat), so every Markdown and HTML function returns text that displays
as written.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from qa.records import (
    Answer,
    Article,
    Citation,
    IndexInfo,
    IngestReport,
    Passage,
    Sentence,
    Skipped,
)

__all__ = [
    "CLOSEST_LABEL",
    "also_reported_by",
    "answer_markdown",
    "chat_messages",
    "escape_markdown",
    "excerpts",
    "format_answer",
    "format_passage",
    "highlighted_html",
    "index_stats",
    "ingest_summary",
    "references",
    "safe_url",
    "show_bidi_controls",
    "source_line",
    "sources_html",
    "timeline_html",
]

CLOSEST_LABEL = "Closest passages (not an answer)"
# Unicode direction embeddings, overrides and isolates (LRE..RLO, LRI..PDI).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")

# Characters that start Markdown syntax anywhere in a line (emphasis, code, links, headings,
# tables, strikethrough, LaTeX). Escaping only these keeps copied answers readable.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]#|~$])")
# Syntax that only counts at the start of a line: "1." / "2)" lists, "-" "+" "=" (lists,
# rules, setext headings).
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=])", re.MULTILINE)
# Sentences shown either side of a cited one, within its paragraph: enough to read it in
# context, short enough that a sources panel with several citations stays scannable.
CONTEXT_SENTENCES = 2


def show_bidi_controls(text: str) -> str:
    """Direction overrides and isolates ("\u202e") shown as "[U+202E]": displayed as they
    are, they reorder what follows, so "report\u202efdp.exe" would read "reportexe.pdf".
    Only displays change; the stored text and citation offsets do not."""
    return _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _escape_html(text: str) -> str:
    return html.escape(show_bidi_controls(text))


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders to exactly ``text``: no emphasis, links, headings,
    lists, LaTeX or raw HTML can come out of it (direction overrides are shown, see
    ``show_bidi_controls``)."""
    # "\r" ends a line in Markdown as "\n" does: make it one, so line-start syntax ("1. ")
    # after it is escaped too (found by tests/test_reliability_fuzz.py).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", show_bidi_controls(text))
    escaped = _MARKDOWN_LINE_START.sub(_escape_line_start, escaped)
    # Entities, not backslashes, for these: "\<" would still let some renderers see a tag.
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        return f"{match.group(1)}{match.group(2)}\\{match.group(3)}"
    return f"{match.group(4)}\\{match.group(5)}"


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) link, else "" (a ``javascript:`` url must never be a link)."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def excerpts(
    sentences: Sequence[Sentence], cited: Iterable[int], around: int = CONTEXT_SENTENCES
) -> list[list[tuple[Sentence, bool]]]:
    """The passages to show for the cited sentence indices of one article: each cited
    sentence with up to ``around`` sentences either side from its own paragraph, windows that
    touch merged into one, in reading order. Each item is ``(sentence, is_cited)``."""
    by_index = {s.index: s for s in sentences}
    wanted = sorted({i for i in cited if i in by_index})
    windows: list[tuple[int, int]] = []
    for i in wanted:
        paragraph = by_index[i].paragraph
        first, last = i, i
        while (
            first - 1 in by_index
            and i - first < around
            and (by_index[first - 1].paragraph == paragraph)
        ):
            first -= 1
        while (
            last + 1 in by_index
            and last - i < around
            and (by_index[last + 1].paragraph == paragraph)
        ):
            last += 1
        if windows and first <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(last, windows[-1][1]))
        else:
            windows.append((first, last))
    marked = set(wanted)
    return [[(by_index[i], i in marked) for i in range(first, last + 1)] for first, last in windows]


def highlighted_html(excerpt: Sequence[tuple[Sentence, bool]]) -> str:
    """One excerpt as escaped HTML, the cited sentences inside ``<mark>``."""
    parts = []
    for sentence, cited in excerpt:
        text = _escape_html(sentence.text)
        parts.append(f"<mark>{text}</mark>" if cited else text)
    return " ".join(parts)


# -- shared pieces ----------------------------------------------------------------------------
def also_reported_by(copies: Iterable[Article]) -> str:
    """The outlets (or titles) of a story's other copies, comma-separated, each once."""
    return ", ".join(dict.fromkeys(a.source or a.title for a in copies))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# -- plain text (the command line) -----------------------------------------------------------
def source_line(citation: Citation) -> str:
    """``[1] Title — source, date``: the reference line under an answer."""
    article = citation.article
    meta = ", ".join(x for x in (article.source, article.published[:10]) if x)
    also = also_reported_by(citation.also_in)
    line = f"[{citation.n}] {article.title}" + (f" — {meta}" if meta else "")
    return line + (f" (also reported by {also})" if also else "")


def shown_citations(answer: Answer) -> list[Citation]:
    """The citations the answer's text shows: a digest's last ``answer.more`` stories are
    carried but only counted ("N more stories")."""
    if not answer.more:
        return list(answer.citations)
    hidden = {i for group in answer.groups[-answer.more :] for i in group.citations}
    return [c for i, c in enumerate(answer.citations) if i not in hidden]


def references(answer: Answer, every: bool = False) -> list[str]:
    seen: dict[int, str] = {}
    for citation in answer.citations if every else shown_citations(answer):
        seen.setdefault(citation.n, source_line(citation))
    return [seen[n] for n in sorted(seen)]


def every_line(answer: Answer) -> str:
    """A digest's text with its counted stories listed too, all in date order (the CLI's
    ``--all``)."""
    if not answer.more:
        return answer.text
    lines = answer.text.split("\n")
    header = lines[0] if lines and not lines[0].startswith("  ") else ""
    dated = sorted(enumerate(answer.groups), key=lambda pair: (pair[1].date or "9999", pair[0]))
    listed = [
        f"  {group.date or 'undated'}: {answer.citations[i].sentence} [{answer.citations[i].n}]"
        for _, group in dated
        for i in group.citations
    ]
    return "\n".join([header, *listed] if header else listed)


def format_answer(answer: Answer, every: bool = False) -> str:
    """An answer as the CLI prints it: notes, the cited sentences, then the references (or
    the closest passages when it abstained). ``every`` lists a digest's stories beyond its
    cap too."""
    lines = []
    if answer.resolved_question:
        lines.append(f"(understood as: {answer.resolved_question})")
    lines += [f"note: {note}" for note in answer.notes]
    lines.append(every_line(answer) if every else answer.text)
    if answer.citations:
        lines += references(answer, every)
    elif answer.closest:
        lines.append(f"\n{CLOSEST_LABEL}:")
        lines += [format_passage(p) for p in answer.closest]
    return "\n".join(lines)


def format_passage(passage: Passage) -> str:
    """One retrieved passage: rank, score, title, where it is, and its text wrapped."""
    article = passage.article
    meta = " — ".join(x for x in (article.source, article.published[:10]) if x)
    head = f"[{passage.rank}] {passage.score:.3f}  {article.title}" + (f" ({meta})" if meta else "")
    where = f"    {article.id} chars {passage.start}-{passage.end}"
    if passage.also_reported_by:
        where += f"  (also reported by {also_reported_by(passage.also_reported_by)})"
    body = textwrap.indent(textwrap.fill(passage.text, 96), "    ")
    return f"{head}\n{where}\n{body}\n"


def index_stats(info: IndexInfo, freshness: Sequence[str] = ()) -> str:
    """"1,204 articles · 3 sources · published 2025-01-01 to 2025-03-05", then how fresh it
    is when known ("newest 12 minutes ago", "3 feeds", see ``qa.watch.freshness``)."""
    parts = [_plural(info.articles, "article"), _plural(len(info.sources), "source")]
    if info.published_from:
        parts.append(f"published {info.published_from[:10]} to {info.published_to[:10]}")
    return " · ".join([*parts, *freshness])


# -- Markdown (the chat) ----------------------------------------------------------------------
def answer_markdown(answer: Answer) -> str:
    """The answer for the chat: escaped Markdown with the [n] markers styled."""
    lines = []
    if answer.resolved_question and answer.resolved_question != answer.question:
        lines += [f"*Read as: {escape_markdown(answer.resolved_question)}*", ""]
    text_lines = answer.text.split("\n")
    for i, line in enumerate(text_lines):
        escaped = _ESCAPED_MARKER.sub(r"<sup>[\1]</sup>", escape_markdown(line.strip()))
        # Statements come indented under a "Speaker (role):" line: a heading and a list.
        if line.startswith("  "):
            lines.append(f"- {escaped}")
        elif i + 1 < len(text_lines) and text_lines[i + 1].startswith("  "):
            lines.append(f"**{escaped}**")
        else:
            lines.append(escaped)
    if answer.abstained:
        lines += ["", f"*See the {CLOSEST_LABEL.lower()} on the right.*"]
    lines += [f"*{escape_markdown(note)}*" for note in answer.notes]
    return "\n".join(lines)


def chat_messages(turns: Sequence[tuple[str, Answer | None]]) -> list[dict[str, str]]:
    """The conversation as chat messages; a question still being answered has no reply."""
    messages = []
    for question, answer in turns:
        messages.append({"role": "user", "content": escape_markdown(question)})
        if answer is not None:
            messages.append({"role": "assistant", "content": answer_markdown(answer)})
    return messages


def ingest_summary(
    report: IngestReport, articles: Sequence[Article], names: dict[str, str] | None = None
) -> str:
    """What an ingest did, as Markdown, every title and file name escaped. ``names`` maps
    temporary upload paths to the file names the user picked."""
    titles = {a.id: a.title for a in articles}

    def listed(label: str, ids: list[str]) -> list[str]:
        return [f"- {escape_markdown(f'{label}: {titles.get(i, i)}')}" for i in ids]

    def where(skip: Skipped) -> str:
        for temp, name in (names or {}).items():
            skip_path = skip.path.replace(temp, name)
            if skip_path != skip.path:
                return skip_path
        return skip.path

    lines = [
        f"**{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped**",
        "",
    ]
    lines += listed("Added", report.added)
    lines += listed("Updated", report.updated)
    lines += listed("Unchanged (already in the index)", report.unchanged)
    lines += [f"- {escape_markdown(f'Skipped {where(s)}: {s.reason}')}" for s in report.skipped]
    return "\n".join(lines)


# -- HTML (the sources panel) -----------------------------------------------------------------
def sources_html(answer: Answer | None) -> str:
    """The sources panel: one card per cited article with its cited sentences highlighted in
    their paragraphs, or the closest passages when the answer abstained."""
    if answer is None:
        return (
            '<div class="nq-panel-title">Sources</div>'
            '<p class="nq-empty">Ask a question: the articles and sentences behind the answer '
            "appear here.</p>"
        )
    if answer.abstained:
        if not answer.closest:
            return (
                f'<div class="nq-panel-title">{CLOSEST_LABEL}</div>'
                '<p class="nq-empty">No passage matches (check the filters).</p>'
            )
        cards = "".join(_passage_card(p) for p in answer.closest)
        title = f'<div class="nq-panel-title">{CLOSEST_LABEL}</div>'
        return f'<div class="nq-closest">{title}{cards}</div>'
    by_number: dict[int, list[Citation]] = {}
    for citation in answer.citations:
        by_number.setdefault(citation.n, []).append(citation)
    cards = "".join(_citation_card(n, group) for n, group in sorted(by_number.items()))
    return f'{timeline_html(answer)}<div class="nq-panel-title">Sources</div>{cards}'


def timeline_html(answer: Answer) -> str:
    """A dated answer's timeline (a digest, a latest value, statements over time): each
    date with its cited sentences, oldest first; a digest's stories beyond its cap greyed
    ("not in the answer"). Empty when the answer's groups span fewer than two dates."""
    dated = [g for g in answer.groups if g.date]
    if answer.abstained or len({g.date for g in dated}) < 2:
        return ""
    hidden = set(range(len(answer.groups) - answer.more, len(answer.groups)))
    by_date: dict[str, list[tuple[Citation, bool]]] = {}
    for number, group in enumerate(answer.groups):
        if group.date:
            for i in group.citations:
                by_date.setdefault(group.date, []).append((answer.citations[i], number in hidden))
    rows = []
    for day in sorted(by_date):
        items = "".join(
            f'<li class="{"nq-hidden" if extra else "nq-shown"}">{_escape_html(c.sentence)} '
            f'<span class="nq-n">{c.n}</span></li>'
            for c, extra in by_date[day]
        )
        rows.append(f'<li><span class="nq-date">{_escape_html(day)}</span><ul>{items}</ul></li>')
    note = (
        f'<p class="nq-empty">{answer.more} more not in the answer (greyed).</p>'
        if answer.more
        else ""
    )
    return (
        '<div class="nq-timeline"><div class="nq-panel-title">Timeline</div>'
        f'<ol>{"".join(rows)}</ol>{note}</div>'
    )


def _citation_card(n: int, citations: list[Citation]) -> str:
    article = citations[0].article
    around: dict[int, Sentence] = {}  # every sentence the citations carry, by index
    for c in citations:
        around.update((s.index, s) for s in c.paragraph)
        around.setdefault(
            c.sentence_index, Sentence(article.id, c.sentence_index, c.start, c.end, c.sentence)
        )
    shown = excerpts([around[i] for i in sorted(around)], [c.sentence_index for c in citations])
    body = "".join(f'<p class="nq-excerpt">{highlighted_html(e)}</p>' for e in shown)
    also = also_reported_by(a for c in citations for a in c.also_in)
    footer = f'<div class="nq-also">Also reported by {_escape_html(also)}</div>' if also else ""
    return (
        f'<div class="nq-source"><div class="nq-title"><span class="nq-n">{n}</span>'
        f"{_title_html(article)}</div>{_meta_html(article)}{body}{footer}</div>"
    )


def _passage_card(passage: Passage) -> str:
    article = passage.article
    return (
        f'<div class="nq-source"><div class="nq-title">{_title_html(article)}</div>'
        f'{_meta_html(article)}<p class="nq-excerpt">{_escape_html(passage.text)}</p></div>'
    )


def _title_html(article: Article) -> str:
    title = _escape_html(article.title or "(untitled)")
    url = safe_url(article.url)
    if not url:
        return title
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'


def _meta_html(article: Article) -> str:
    parts = [article.source, article.published[:10], article.author and f"by {article.author}"]
    return f'<div class="nq-meta">{_escape_html(" · ".join(p for p in parts if p))}</div>'
