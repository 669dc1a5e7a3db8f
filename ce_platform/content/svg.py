"""SVG media: an allow-list of elements, attributes and references, checked by an XML parser.

Patterns over the text cannot see what a browser sees (namespace prefixes, character
references, CSS escapes), so the file is parsed (defusedxml: no DTD, no entities) and every
element and attribute must be on the lists below; everything else is refused. What remains
draws shapes and text and can point only inside the file (`#id`).
"""

from __future__ import annotations

import io
import re
import xml.sax
from xml.sax.handler import ContentHandler, feature_external_ges, feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Static drawing only: no script, handler, foreignObject, image, feImage, a, animation
# (animate and set can give any attribute, href and on... included, any value).
ELEMENTS = frozenset(
    """
    svg g defs desc title metadata symbol use switch
    path rect circle ellipse line polyline polygon
    text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker style
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
    """.split()
)

ATTRIBUTES = frozenset(
    """
    id class style lang tabindex role focusable aria-label aria-labelledby aria-describedby
    aria-hidden version baseProfile viewBox preserveAspectRatio width height x y x1 x2 y1 y2
    cx cy r rx ry fx fy fr d points pathLength transform
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color display
    visibility overflow clip clip-path clip-rule mask marker-start marker-mid marker-end filter
    font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    text-decoration writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust
    startOffset method spacing side
    stop-color stop-opacity flood-color flood-opacity lighting-color color-interpolation
    color-interpolation-filters shape-rendering text-rendering image-rendering vector-effect
    paint-order mix-blend-mode isolation
    gradientUnits gradientTransform spreadMethod offset patternUnits patternContentUnits
    patternTransform clipPathUnits maskUnits maskContentUnits markerUnits markerWidth
    markerHeight refX refY orient filterUnits primitiveUnits
    in in2 result stdDeviation mode type values operator k1 k2 k3 k4 order kernelMatrix divisor
    bias targetX targetY edgeMode preserveAlpha surfaceScale diffuseConstant specularConstant
    specularExponent kernelUnitLength scale xChannelSelector yChannelSelector radius azimuth
    elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle baseFrequency numOctaves seed
    stitchTiles tableValues slope intercept amplitude exponent
    requiredFeatures requiredExtensions systemLanguage media
    """.split()
)
# Attributes that name another element: only a fragment of this same file.
REFERENCES = frozenset({"href"})
NAMESPACED = {(XML_NS, "space"), (XML_NS, "lang"), (XLINK_NS, "href"), (XLINK_NS, "title")}

_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_CSS_FORBIDDEN = (
    ("\\", "uses a CSS escape"),
    ("@import", "imports CSS"),
    ("expression(", "uses a CSS expression"),
    ("-moz-binding", "binds behaviour from CSS"),
    ("behavior", "binds behaviour from CSS"),
    ("javascript:", "contains a javascript: URL"),
    ("image-set(", "loads an image from CSS"),
)


class _Checker(ContentHandler):
    """Collect (line, reason) for everything outside the allow-list, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[int, str]] = []
        self.locator = None
        self._style_depth = 0
        self._style_line = 0
        self._style_text: list[str] = []

    def setDocumentLocator(self, locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator is not None else 1

    def refuse(self, reason: str) -> None:
        self.problems.append((self.line(), reason))

    def startElementNS(self, name, qname, attrs) -> None:  # noqa: N802 (SAX API)
        namespace, local = name
        if namespace not in (SVG_NS, None):
            shown = qname or local
            self.refuse(
                f"the <{shown}> element is not SVG (save the drawing as plain SVG, "
                "without editor data)"
            )
            return
        if local not in ELEMENTS:
            shown = qname or local
            self.refuse(f"the <{shown}> element is not allowed (only static drawing elements)")
            return
        if local == "style":
            self._style_depth += 1
            self._style_line = self.line()
        for (attr_ns, attr_local), value in attrs.items():
            self._attribute(attr_ns, attr_local, attrs.getQNameByName((attr_ns, attr_local)), value)

    def _attribute(self, namespace, local: str, qname: str | None, value: str) -> None:
        shown = qname or local
        if namespace is None and local in REFERENCES or (namespace, local) == (XLINK_NS, "href"):
            if not value.strip().startswith("#"):
                self.refuse(f'{shown}="{value[:40]}" points outside the file (only #id)')
            return
        if namespace is not None and (namespace, local) not in NAMESPACED:
            self.refuse(f"the {shown} attribute is not allowed")
            return
        if namespace is None and local not in ATTRIBUTES:
            if local.lower().startswith("on"):
                self.refuse(f"has an event-handler attribute ({shown})")
            else:
                self.refuse(f"the {shown} attribute is not allowed")
            return
        reason = css_problem(value)
        if reason is not None:
            self.refuse(f"{shown}: {reason}")

    def endElementNS(self, name, qname) -> None:  # noqa: N802 (SAX API)
        if name[1] == "style" and name[0] in (SVG_NS, None) and self._style_depth:
            self._style_depth -= 1
            reason = css_problem("".join(self._style_text))
            if reason is not None:
                self.problems.append((self._style_line, f"<style>: {reason}"))
            self._style_text = []

    def characters(self, content: str) -> None:
        if self._style_depth:
            self._style_text.append(content)

    def processingInstruction(self, target, data) -> None:  # noqa: N802 (SAX API)
        self.refuse(f"the <?{target}?> processing instruction is not allowed")


def css_problem(css: str) -> str | None:
    """Say why CSS (an attribute value or a <style> sheet) could reach outside, or None."""
    lowered = css.lower()
    for needle, reason in _CSS_FORBIDDEN:
        if needle in lowered:
            return reason
    for match in _URL.finditer(css):
        if not match.group(2).strip().startswith("#"):
            return "url() points outside the file (only url(#id))"
    if "url(" in lowered and not _URL.search(css):
        return "has a url() that cannot be read"
    return None


def check_svg(text: str) -> list[tuple[int, str]]:
    """Parse an SVG and list what it holds beyond the allow-list, with line numbers."""
    checker = _Checker()
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setFeature(feature_external_ges, False)
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setContentHandler(checker)
    try:
        parser.parse(io.StringIO(text))  # parse(), not feed(): it hands the handler a locator
    except DefusedXmlException:
        line = _first_line_of(text, "<!ENTITY") or checker.line()
        reason = "declares XML entities" if "<!entity" in text.lower() else "has a DOCTYPE"
        checker.problems.append((line, reason))
    except xml.sax.SAXParseException as exc:
        checker.problems.append(
            (exc.getLineNumber(), f"is not well-formed XML ({exc.getMessage()})")
        )
    return checker.problems


def _first_line_of(text: str, needle: str) -> int | None:
    index = text.upper().find(needle.upper())
    return None if index < 0 else text.count("\n", 0, index) + 1
