"""Rendering: the Markdown extensions we promise, and an XSS corpus that must come out inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ce_platform.content import Rendered, render_markdown, sanitize_html

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">click</p>',
    "<div onmouseover='alert(1)'>hover</div>",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "<a href='vbscript:msgbox(1)'>x</a>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="data:image/png;base64,AAAA">',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name="password"><button>go</button></form>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<span style="position:fixed;top:0">overlay</span>',
    "<style>body { display: none }</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<details open ontoggle=alert(1)>x</details>",
    '<a href="#" onclick="alert(1)">x</a>',
    "## Heading {onclick=alert(1) style=color:red}",
    "Paragraph\n{: onmouseover=alert(1) }",
    '![img](media/x.png){onerror="alert(1)"}',
    '<div markdown="1">**bold** <script>alert(1)</script></div>',
    "<!-- <script>alert(1)</script> -->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<textarea><script>alert(1)</script></textarea>",
    '<template><img src=x onerror="alert(1)"></template>',
    '<a href="java\tscript:alert(1)">tab</a>',
]

DANGEROUS_TAGS = {
    "script", "iframe", "object", "embed", "form", "input", "button", "style", "link", "meta",
    "base", "svg", "math", "textarea", "template", "noscript", "frame", "frameset", "body",
}  # fmt: skip
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}


class _LiveHtml(HTMLParser):
    """Collect what a browser would treat as active: tags, handlers, styles, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value is not None:
                # What a browser's URL parser does: trim C0/space, drop tabs and newlines.
                compact = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag}[{name}]={value}")

    handle_startendtag = handle_starttag


def live_html_problems(html: str) -> list[str]:
    parser = _LiveHtml()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_is_neutralised_by_the_renderer(payload):
    rendered = render_markdown(f"Intro text.\n\n{payload}\n\nOutro text.")

    assert live_html_problems(rendered.html) == [], rendered.html
    assert live_html_problems(rendered.toc_html) == []
    assert "alert(1)</script>" not in rendered.html


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payload_is_neutralised_by_sanitize_html(payload):
    assert live_html_problems(sanitize_html(payload)) == []


def test_live_html_checker_catches_what_it_should():
    assert live_html_problems(
        '<script></script><img src=x onerror=a()><a href=" JavaScript:x">x</a><p style="x">'
    ) == ["<script>", "img[onerror]", "a[href]= JavaScript:x", "p[style]"]


def test_raw_html_block_is_not_live_html():
    html = render_markdown(
        '<div class="admonition" onclick="x()"><script>evil()</script>Text</div>'
    ).html

    assert html == '<div class="admonition">Text</div>'


def test_footnotes_keep_their_ids_and_classes():
    html = render_markdown("Claim[^1].\n\n[^1]: Author A. Title. Journal. 2020;1:1-2.").html

    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"' in html
    assert '<div class="footnote">' in html
    assert '<li id="fn:1">' in html
    assert 'class="footnote-backref" href="#fnref:1"' in html


def test_admonition_keeps_its_classes_and_unknown_classes_are_dropped():
    html = render_markdown('!!! warning "Contraindications"\n    Avoid with lithium.').html

    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Contraindications</p>' in html
    assert 'class="evil"' not in render_markdown("Text\n{: .evil }").html


def test_tables_use_the_align_attribute():
    html = render_markdown("| Drug | Hours |\n|:-----|------:|\n| MDMA | 4-6 |").html

    assert '<th align="left">Drug</th>' in html
    assert '<td align="right">4-6</td>' in html


def test_headings_get_anchor_ids_and_a_table_of_contents():
    rendered = render_markdown("# Title\n\n## First part\n\n### Detail {#custom-id}\n\nText.")

    assert '<h2 id="first-part">First part</h2>' in rendered.html
    assert '<h3 id="custom-id">Detail</h3>' in rendered.html
    assert rendered.toc_html.startswith("<ul>")
    assert 'href="#first-part"' in rendered.toc_html
    assert 'href="#custom-id"' in rendered.toc_html
    assert "permalink" not in rendered.html and "headerlink" not in rendered.html


def test_fragment_without_headings_has_an_empty_toc():
    assert render_markdown("Just a paragraph.") == Rendered("<p>Just a paragraph.</p>", "")


def test_definition_lists_abbreviations_and_ordered_list_starts_render():
    html = render_markdown(
        "5-HT2A\n:   A serotonin receptor.\n\nThe SSRI works.\n\n*[SSRI]: Selective serotonin "
        "reuptake inhibitor\n\n3. third\n4. fourth"
    ).html

    assert "<dl>" in html and "<dt>5-HT2A</dt>" in html
    assert '<abbr title="Selective serotonin reuptake inhibitor">SSRI</abbr>' in html
    assert '<ol start="3">' in html


def test_markdown_inside_html_blocks_is_rendered():
    html = render_markdown('<div markdown="1">\n**bold**\n</div>').html

    assert "<strong>bold</strong>" in html


def test_safe_links_and_images_survive():
    html = render_markdown(
        "[doi](https://doi.org/10.1/x) [mail](mailto:a@example.org) [rel](02-next.md) "
        '![fig](media/fig.png "Figure 1")'
    ).html

    assert 'href="https://doi.org/10.1/x"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'href="02-next.md"' in html
    assert '<img alt="fig" src="media/fig.png" title="Figure 1">' in html


def test_media_prefix_rewrites_only_media_urls():
    html = render_markdown(
        "![a](media/a.png) [b](./media/b.svg) [c](https://example.org/media/c.png) [d](other.md)",
        media_prefix="/static/c/",
    ).html

    assert 'src="/static/c/a.png"' in html
    assert 'href="/static/c/b.svg"' in html
    assert 'href="https://example.org/media/c.png"' in html
    assert 'href="other.md"' in html


def test_media_prefix_never_lets_a_url_climb_out_of_the_prefix():
    html = render_markdown("![a](media/../../etc/passwd)", media_prefix="/static/c/").html

    assert "passwd" not in html
    assert "<img" in html


def test_code_blocks_render_escaped():
    html = render_markdown("```\n<script>alert(1)</script>\n```").html

    assert "&lt;script&gt;" in html
    assert "<script" not in html
