"""The one Markdown pipeline (questions/markup.py): Markdown to HTML, then cleaned by nh3."""

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.markup import render_markdown, render_markdown_inline

ALLOWED_TAGS = {
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
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
REL = "noopener noreferrer nofollow"


class _Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def test_it_renders_markdown():
    html = render_markdown("# Title\n\n**bold** and *em* and `code`\n\n- one\n- two")

    assert isinstance(html, SafeString)
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html


def test_it_renders_tables_of_markdown_extra():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")

    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html


@pytest.mark.parametrize("text", ["", None])
def test_it_renders_nothing_for_no_text(text):
    assert render_markdown(text) == ""


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("<script>alert(1)</script>", ["<script", "alert(1)"]),
        ("hello\n\n<script src=https://evil.example/x.js></script>", ["<script", "evil.example"]),
        ("<img src=x onerror=alert(1)>", ["<img", "onerror"]),
        ("![alt](https://example.com/pic.png)", ["<img", "pic.png"]),
        ("<style>body { display: none }</style>\n\nhi", ["<style", "display"]),
        ('<p style="color: red">red</p>', ["style", "color"]),
        ("<iframe src=https://evil.example></iframe>", ["<iframe"]),
        ("<svg onload=alert(1)>", ["<svg", "onload"]),
        ("<b onclick=alert(1)>b</b>", ["onclick"]),
        ("<form action=/x><input name=a></form>", ["<form", "<input"]),
    ],
)
def test_it_removes_scripts_images_styles_and_handlers(text, gone):
    html = render_markdown(text)

    for fragment in gone:
        assert fragment not in html


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_it_drops_dangerous_link_targets_but_keeps_the_text(text):
    html = render_markdown(text)

    assert "javascript" not in html.lower()
    assert "data:" not in html and "vbscript" not in html
    assert [attrs.get("href") for tag, attrs in elements(html) if tag == "a"] == [None]
    assert ">x</a>" in html


def test_it_keeps_links_with_rel_noopener():
    html = render_markdown('[AWS](https://aws.amazon.com/ "The cloud") and <mailto:ops@example.com>')

    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert links == [
        {"href": "https://aws.amazon.com/", "title": "The cloud", "rel": REL},
        {"href": "mailto:ops@example.com", "rel": REL},
    ]


def test_it_replaces_a_rel_or_target_the_author_wrote():
    html = render_markdown('<a href="https://example.com" target="_blank" rel="opener">x</a>')

    assert elements(html) == [("p", {}), ("a", {"href": "https://example.com", "rel": REL})]


def test_it_renders_one_paragraph_inline_without_its_p():
    assert render_markdown_inline("Use *structured* logging") == "Use <em>structured</em> logging"
    assert render_markdown_inline("") == ""


def test_it_keeps_the_paragraphs_of_longer_inline_text():
    assert render_markdown_inline("one\n\ntwo") == "<p>one</p>\n<p>two</p>"


def test_it_cleans_inline_text_too():
    html = render_markdown_inline("<img src=x onerror=alert(1)>[x](javascript:alert(2)) <script>alert(3)</script>")

    assert "<img" not in html and "javascript" not in html and "<script" not in html


# --- Property: whatever is typed, only the allowed tags and attributes come out -----------------

_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<style>*{}</style>",
        "<b onclick=x>",
        '<a href="javascript:alert(1)">',
        "[l](javascript:alert(1))",
        "[l](https://example.com)",
        "**b**",
        "<iframe>",
        "<svg/onload=alert(1)>",
        "\n\n",
        "# h",
        "- li",
        "`c`",
        "<",
        ">",
        '"',
        "'",
        "&",
        "<p style=x>",
        "<div>",
        "</a>",
        "<a href=//x>",
        "<object data=x>",
        "<table><tr><td onmouseover=x>",
        "<math>",
        "<!--",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join))
def test_it_lets_only_allowed_tags_and_attributes_through(text):
    html = render_markdown(text)
    inline = render_markdown_inline(text)

    for tag, attrs in elements(html) + elements(inline):
        assert tag in ALLOWED_TAGS, (text, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (text, html)
        if tag == "a":
            assert attrs.get("rel") == REL
            href = (attrs.get("href") or "").strip().lower()
            assert not href.startswith(("javascript:", "data:", "vbscript:")), (text, html)
