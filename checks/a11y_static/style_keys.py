"""Keys naming everything the contrast rule's answer for an element depends on, so that the
pages of one template share the answers for their shared chrome (header, navigation, footer,
the article's frame) instead of matching the same selectors on every page again.

The contrast rule judges an element from its declared values and those of its ancestors.
When the page's sheets select only by names and attributes along the ancestor path (no
sibling combinator, no ``:first-child`` …: :class:`~checks.a11y_static.cascade.SelectorScope`),
those values are a function of

- the page's cascade: the sheets in order (by content), their media conditions, whether the
  cascade is open, quirks mode and ``<body link>``;
- for the element and each ancestor: its tag, the attributes the user-agent styles,
  presentational hints and the rule itself read, the attributes the selectors test, and
  whether it has an ``href``.

An element's key is that path, hash-consed to an int. Text, ``href`` values and the rest of
an element's attributes are not in it: they change nothing the rule computes.
"""

from __future__ import annotations

import itertools

from checks.a11y_static.cascade import PageStyles
from checks.a11y_static.document import Doc, Element

# What the cascade and the rule read of an element beside its tag (see cascade._user_agent,
# cascade._hints and contrast._Computed._blocks_itself), and what every selector may test.
_READ_ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "style",
        "color",
        "size",
        "text",
        "link",
        "bgcolor",
        "background",
        "disabled",
        "aria-disabled",
    }
)
_MAX_KEYS = 200_000  # interned paths (and outcomes) per process before a new generation

_interned: dict[tuple, int] = {}
_outcomes: dict[tuple[int, int], object] = {}
# never reset: a key handed out before a new generation still names only its own path
_numbers = itertools.count()


class StyleKeys:
    """The keys of one page's elements (built on demand, each ancestor once)."""

    def __init__(self, doc: Doc, page: int, attributes: frozenset[str]) -> None:
        self.doc = doc
        self.page = page
        self._attributes = attributes
        self._keys: dict[Element, int] = {}

    @classmethod
    def of(cls, doc: Doc, styles: PageStyles) -> StyleKeys | None:
        """The page's keys, or None when a sheet's selectors look beyond the ancestor path
        (then every element is judged on its own)."""
        scopes = [applied.sheet.scope for applied in styles.applied]
        if not all(scope.path_only for scope in scopes):
            return None
        attributes = set(_READ_ATTRIBUTES)
        for scope in scopes:
            attributes |= scope.attributes
        cascade = (
            tuple((applied.sheet.css, applied.conditional) for applied in styles.applied),
            styles.open,
            styles.quirks,
            styles.body_link,
        )
        return cls(doc, _intern(("page", cascade)), frozenset(attributes))

    def key(self, el: Element) -> int:
        found = self._keys.get(el)
        if found is not None:
            return found
        parent = self.doc.parent(el)
        above = self.key(parent) if parent is not None else -1
        # most elements have no attribute or one: filter what they have (in their order,
        # which is the source's: the same markup gives the same key)
        items = el.items()
        own = tuple(item for item in items if item[0] in self._attributes) if items else ()
        has_href = "href" in el.attrib if items else False
        found = self._keys[el] = _intern((above, el.tag, own, has_href))
        return found

    def outcome(self, el: Element, default: object) -> object:
        """What the rule found for an element with ``el``'s key on an earlier page."""
        return _outcomes.get((self.page, self.key(el)), default)

    def remember(self, el: Element, outcome: object) -> None:
        _outcomes[(self.page, self.key(el))] = outcome


def _intern(entry: tuple) -> int:
    found = _interned.get(entry)
    if found is None:
        if len(_interned) >= _MAX_KEYS or len(_outcomes) >= _MAX_KEYS:
            # a new generation; numbers are never reused, so a page still holding keys of
            # the old one recomputes what it cannot find, it never misreads
            _interned.clear()
            _outcomes.clear()
        found = _interned[entry] = next(_numbers)
    return found
