import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from workspaces.chats.rendering import render_markdown

DANGEROUS_INPUTS = {
    "script tag": "<script>alert(1)</script>",
    "image with onerror": "<img src=x onerror=alert(1)>",
    "markdown javascript link": "[x](javascript:alert(1))",
    "html javascript link": '<a href="javascript:alert(1)">x</a>',
    "mixed-case javascript link": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "markdown data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "html data link": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "style attribute": '<p style="position:fixed;top:0">x</p>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "event handler on an allowed tag": '<strong onclick="alert(1)">x</strong>',
    "svg with onload": "<svg onload=alert(1)></svg>",
    "form": '<form action="https://evil.example/"><input name="password"></form>',
}

FORBIDDEN_FRAGMENTS = (
    "<script", "<img", "<iframe", "<svg", "<form", "<input", "onerror", "onload", "onclick",
    "javascript:", "data:", "style=",
)


@pytest.mark.parametrize("source", DANGEROUS_INPUTS.values(), ids=DANGEROUS_INPUTS.keys())
def test_dangerous_input_renders_inert(source):
    html = render_markdown(source).lower()
    for fragment in FORBIDDEN_FRAGMENTS:
        assert fragment not in html, f"{fragment!r} survived in {html!r}"


def test_script_and_iframe_content_is_dropped_not_shown_as_text():
    html = render_markdown("before <script>alert('x')</script> <iframe>inner</iframe> after")
    assert "alert" not in html
    assert "inner" not in html
    assert "before" in html and "after" in html


def test_lists_code_bold_and_emphasis_survive():
    html = render_markdown("Intro with **bold** and *soft*.\n\n- one\n- two\n\n1. first\n2. second\n\n`inline`")
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert "<code>inline</code>" in html


def test_fenced_code_keeps_its_text_escaped_and_loses_its_class():
    html = render_markdown("```python\nif a < b:\n    print('<b>')\n```")
    assert "<pre><code>if a &lt; b:\n    print('&lt;b&gt;')\n</code></pre>" in html


def test_headings_quotes_rules_and_tables_survive_without_attributes():
    html = render_markdown("# Title\n\n> quoted\n\n---\n\n| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<h1>Title</h1>" in html
    assert "<blockquote>" in html
    assert "<hr>" in html
    assert "<th>a</th>" in html and "<td>2</td>" in html
    assert "text-align" not in html


def test_http_links_keep_href_and_title_and_get_a_safe_rel():
    html = render_markdown('[docs](https://example.com/a?b=1 "The docs")')
    assert html == (
        '<p><a href="https://example.com/a?b=1" title="The docs" rel="noopener noreferrer nofollow">docs</a></p>'
    )


def test_mailto_links_survive():
    assert 'href="mailto:help@example.com"' in render_markdown("[write](mailto:help@example.com)")


@pytest.mark.parametrize("href", ["/admin/", "//evil.example/", "ftp://files.example/x", "vbscript:msgbox(1)"])
def test_relative_and_other_scheme_links_lose_their_href(href):
    html = render_markdown(f"[x]({href})")
    assert "href" not in html
    assert ">x</a>" in html


def test_attributes_other_than_href_and_title_are_removed_from_links():
    html = render_markdown('<a href="https://example.com" target="_blank" id="x" class="c" rel="opener">x</a>')
    assert html == '<p><a href="https://example.com" rel="noopener noreferrer nofollow">x</a></p>'


def test_deep_headings_and_unknown_tags_keep_only_their_text():
    html = render_markdown("##### small\n\n<div><span>kept</span></div>")
    assert "<h5>" not in html and "<div>" not in html and "<span>" not in html
    assert "small" in html and "kept" in html


def test_result_is_marked_safe_and_empty_input_gives_empty_html():
    assert isinstance(render_markdown("*x*"), SafeString)
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_template_filter_renders_markdown_without_double_escaping():
    template = Template("{% load docent %}<div>{{ answer|markdown }}</div>")
    html = template.render(Context({"answer": "**yes** <script>alert(1)</script> & more"}))
    assert html == "<div><p><strong>yes</strong>  &amp; more</p></div>"


def test_template_filter_treats_a_missing_value_as_empty():
    assert Template("{% load docent %}[{{ missing|markdown }}]").render(Context({})) == "[]"


def test_a_list_straight_after_a_sentence_renders_as_a_list_as_commonmark_says():
    """Answers are read as CommonMark (markdown-it-py, the parser of uploaded Markdown too): a list
    needs no blank line before it, which is how language models write one."""
    html = render_markdown("The sources say:\n- one\n- two")
    assert html == "<p>The sources say:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
