"""The one Markdown pipeline: render with Python-Markdown, then clean with nh3.

Markdown passes raw HTML through, so the cleaning comes last, always. Pages and
reports both call :func:`render_markdown`; nothing else turns Markdown into HTML.
"""

import threading
from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

_EXTENSIONS = ["extra", "sane_lists"]
_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread: building one costs more than converting a note."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    return converter


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    """Safe HTML for Markdown written by anyone: no scripts, no images, no styles.

    The same text always gives the same HTML, so results are remembered (the lens's own
    texts repeat on every page).
    """
    if not text:
        return mark_safe("")
    html = _converter().reset().convert(text)
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just cleaned it


def render_markdown_inline(text: str) -> SafeString:
    """Markdown of one short paragraph (a choice's description) without the wrapping <p>."""
    html = str(render_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)  # noqa: S308 - cleaned by render_markdown
