#!/usr/bin/python3
"""Emulation of Galaxy's HTML sanitizer, and the check that the report survives it.

usage: galaxy_sanitize.py REPORT.html [SANITIZED_OUT.html]

Galaxy (sanitize_all_html, the default) passes tool HTML through
lib/galaxy/util/sanitize_html.py: bleach.clean(html, tags=<allowlist>, attributes=<allowlist>,
strip=True) with bleach's default protocols (http, https, mailto), i.e. data: URLs are refused.
What that does, and what this emulation does with the standard library's html.parser:
  - an element not on the tag allowlist is dropped, its text kept (so the text inside <style>,
    <script>, <title> or SVG <text> becomes visible page text);
  - an attribute not on the attribute allowlist is dropped (style, data-*, xmlns, ...);
  - a URI attribute (href, src, ...) whose scheme is not http, https or mailto is dropped;
    relative URLs and #fragments stay;
  - comments are dropped.
The allowlists below are the facts of Galaxy's file (release 23.x and later), listed here, not
imported. When python3-bleach is installed, the emulation is also compared with the real thing.

Checks on the sanitized page: every heading, table cell and exact value (title attribute) of the
original survives, in order; no stylesheet or script text leaks into the visible text; every
image keeps its alt text; the confusion matrices (when there are any) keep their colours
(bgcolor).
"""
import html
import re
import sys
from html.parser import HTMLParser

ALLOWED_TAGS = set("""a abbr acronym address area article aside audio b big blockquote br button
canvas caption center cite code col colgroup command datagrid datalist dd del details dfn dialog
dir div dl dt em event-source fieldset figure footer font form header h1 h2 h3 h4 h5 h6 hr i img
input ins keygen kbd label legend li m map menu meter multicol nav nextid ol output optgroup option
p pre progress q s samp section select small sound source spacer span strike strong sub sup table
tbody td textarea time tfoot th thead tr tt u ul var video noscript""".split())

ALLOWED_ATTRS = set("""abbr accept accept-charset accesskey action align alt autocomplete
autofocus axis background balance bgcolor bgproperties border bordercolor bordercolordark
bordercolorlight bottompadding cellpadding cellspacing ch challenge char charoff choff charset
checked cite class clear color cols colspan compact contenteditable controls coords data datafld
datapagesize datasrc datetime default delay dir disabled draggable dynsrc enctype end face for
form frame galleryimg gutter headers height hidefocus hidden high href hreflang hspace icon id
inputmode ismap keytype label leftspacing lang list longdesc loop loopcount loopend loopstart low
lowsrc max maxlength media method min multiple name nohref noshade nowrap open optimum pattern
ping point-size prompt pqg radiogroup readonly rel repeat-max repeat-min replace required rev
rightspacing rows rowspan rules scope selected shape size span src start step summary suppress
tabindex target template title toppadding type unselectable usemap urn valign value variable
volume vspace vrml width wrap xml:lang""".split())

# bleach (html5lib's sanitizer) checks the scheme of these attributes
URI_ATTRS = {"action", "background", "cite", "datasrc", "dynsrc", "href", "longdesc", "lowsrc",
             "ping", "poster", "src", "xlink:href", "xml:base"}
PROTOCOLS = {"http", "https", "mailto"}
VOID = {"area", "br", "col", "hr", "img", "input", "keygen", "source", "meta", "link", "base",
        "wbr", "embed", "param", "track"}


def uri_allowed(v):
    m = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.\-]*):", v)
    return m is None or m.group(1).lower() in PROTOCOLS


class Sanitizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            return
        kept = []
        for k, v in attrs:
            if k not in ALLOWED_ATTRS:
                continue
            if v is not None and k in URI_ATTRS and not uri_allowed(v):
                continue
            kept.append(f' {k}="{html.escape(v or "", quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ALLOWED_TAGS and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False))


def sanitize(text):
    s = Sanitizer()
    s.feed(text)
    s.close()
    return "".join(s.out)


class Extract(HTMLParser):
    """Headings, table cells (text and title), img alts, bgcolors, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.cells, self.alts, self.bgcolors = [], [], [], []
        self.cm_tables = 0
        self.text = []
        self.stack = []
        self.cur = None  # [kind, text, title] of the heading or cell being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4", "td", "th"):
            self.cur = [tag, "", a.get("title")]
        if tag == "img":
            self.alts.append(a.get("alt"))
        if tag == "table" and "cm" in (a.get("class") or "").split():
            self.cm_tables += 1
        if tag == "td" and "bgcolor" in a:
            self.bgcolors.append(a["bgcolor"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.cur and tag == self.cur[0]:
            item = (self.cur[1].strip(), self.cur[2])
            (self.headings if tag[0] == "h" else self.cells).append(item)
            self.cur = None
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.cur:
            self.cur[1] += data
        # text a browser would show (the original page's head/script/style are not shown)
        if not any(t in ("head", "script", "style", "title") for t in self.stack):
            self.text.append(data)


def extract(text):
    e = Extract()
    e.feed(text)
    e.close()
    return e


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    orig = open(sys.argv[1], encoding="utf-8").read()
    clean = sanitize(orig)
    if len(sys.argv) == 3:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(clean)
    fails = []
    a, b = extract(orig), extract(clean)
    if a.headings != b.headings:
        fails.append("headings changed by the sanitizer")
    if not a.cells or a.cells != b.cells:
        fails.append(f"table cells changed by the sanitizer ({len(a.cells)} -> {len(b.cells)})")
    if len(a.alts) != len(b.alts) or not all(b.alts):
        fails.append("an image lost its alt text")
    if (a.cm_tables and not b.bgcolors) or a.bgcolors != b.bgcolors:
        fails.append("confusion-matrix colours (bgcolor) lost")
    visible = " ".join(b.text)
    for leak in ("{", "}", "function(", "querySelector", "<svg", "base64,"):
        if leak in visible:
            fails.append(f"sanitized page shows {leak!r} as text (a stylesheet, script or chart leaked)")
    if "Ludwig Experiment" not in visible:
        fails.append("sanitized page lost its heading")
    for tag in ("script", "style", "link", "svg"):
        if re.search(rf"<{tag}\b", clean):
            fails.append(f"emulation left a <{tag}>")
    try:
        import bleach  # optional: the real sanitizer Galaxy uses
    except ImportError:
        bleach = None
    if bleach is not None:
        real = bleach.clean(orig, tags=sorted(ALLOWED_TAGS), attributes=sorted(ALLOWED_ATTRS),
                            strip=True)
        r = extract(real)
        norm = lambda t: " ".join(" ".join(t).split())  # noqa: E731
        if norm(r.text) != norm(b.text):
            fails.append("emulation and bleach show different text")
        if r.cells != b.cells or r.headings != b.headings:
            fails.append("emulation and bleach keep different tables or headings")
    for f in fails:
        print(f"galaxy_sanitize: {f}", file=sys.stderr)
    if fails:
        sys.exit(1)
    print(f"galaxy_sanitize: ok ({len(b.headings)} headings, {len(b.cells)} table cells, "
          f"{len(b.alts)} images with alt text survive; {len(orig)} -> {len(clean)} bytes"
          f"{'; matches bleach ' + bleach.__version__ if bleach else ''})")


if __name__ == "__main__":
    main()
