"""Markdown to sanitized HTML: Python-Markdown for the syntax, nh3 with an explicit allow-list.

Every fragment (overview, lesson, prompt, option, feedback, explanation) goes through
`render_markdown`, so nothing an author writes, raw HTML included, reaches a learner unsanitized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import markdown
import nh3

EXTENSIONS: list[str] = [
    "tables",
    "footnotes",
    "attr_list",
    "toc",
    "admonition",
    "def_list",
    "abbr",
    "sane_lists",
    "md_in_html",
    "fenced_code",
]
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    "tables": {"use_align_attribute": True},  # `align=` instead of a style attribute we drop
    "toc": {"permalink": False},
}

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
        "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
        "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "var",
    }
)  # fmt: skip
# Removed together with their content; everything else not allowed is unwrapped to its text.
REMOVED_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "object", "noscript", "template", "svg", "math", "textarea",
     "select", "frame", "frameset", "noembed", "noframes", "xmp", "plaintext"}
)  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "sup": {"id"},
    "li": {"id"},
    "div": {"id"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    **{h: {"id"} for h in HEADINGS},
}
ADMONITION_TYPES: frozenset[str] = frozenset(
    {"note", "tip", "hint", "important", "warning", "caution", "danger", "attention", "error",
     "info", "example", "summary", "seealso", "quote", "success", "question", "abstract"}
)  # fmt: skip
ALLOWED_CLASSES: dict[str, set[str]] = {
    "div": {"admonition", "footnote", "toc", *ADMONITION_TYPES},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
    "sup": {"footnote-ref"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

_MEDIA_URL = re.compile(r"^(?:\./)?media/(.*)$", re.DOTALL)
_TOC_WRAPPER = re.compile(r'^\s*<div class="toc">\s*(.*?)\s*</div>\s*$', re.DOTALL)
_SINGLE_PARAGRAPH = re.compile(r"^<p>((?:(?!</?p[ >]).)*)</p>$", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """Sanitized HTML of one fragment and its table of contents ("" when it has no headings)."""

    html: str
    toc_html: str


def _media_filter(media_prefix: str | None):
    """Return an nh3 attribute filter that points `media/...` URLs at the served media folder."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        """Rewrite one attribute value; None drops the attribute."""
        if media_prefix is None or (tag, attr) not in (("img", "src"), ("a", "href")):
            return value
        match = _MEDIA_URL.match(value)
        if match is None:
            return value
        rest = match.group(1)
        if rest.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", rest):
            return None  # never let a rewritten URL climb out of the media prefix
        return media_prefix + rest

    return attribute_filter


def _clean(html: str, media_prefix: str | None = None) -> str:
    """Sanitize with the allow-list; optionally rewrite media URLs in the same pass."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={tag: set(classes) for tag, classes in ALLOWED_CLASSES.items()},
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
        attribute_filter=_media_filter(media_prefix) if media_prefix is not None else None,
    )


def sanitize_html(html: str) -> str:
    """Sanitize HTML from any source with the same allow-list the Markdown renderer uses."""
    return _clean(html)


def render_markdown(text: str, *, media_prefix: str | None = None) -> Rendered:
    """Render one Markdown fragment to sanitized HTML plus a sanitized table of contents."""
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    html = md.convert(text)
    toc_html = ""
    if getattr(md, "toc_tokens", None):
        raw_toc = str(getattr(md, "toc", ""))
        match = _TOC_WRAPPER.match(raw_toc)
        toc_html = _clean(match.group(1) if match else raw_toc).strip()
    return Rendered(html=_clean(html, media_prefix).strip(), toc_html=toc_html)


def render_inline(text: str, *, media_prefix: str | None = None) -> str:
    """Render a short fragment (an option) without the <p> wrapper, so it fits inside a label."""
    html = render_markdown(text, media_prefix=media_prefix).html
    match = _SINGLE_PARAGRAPH.match(html)
    return match.group(1) if match else html
