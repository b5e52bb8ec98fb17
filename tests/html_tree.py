"""A page's HTML as a small element tree (the standard library's parser), so tests find elements
by id, class or tag and read their text instead of matching markup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class Element:
    """An element: tag, attributes, children (elements and text) in document order."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The text within, whitespace collapsed."""
        parts: list[str] = []

        def walk(e: Element) -> None:
            for c in e.children:
                if isinstance(c, str):
                    parts.append(c)
                else:
                    walk(c)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self) -> Iterator[Element]:
        for c in self.children:
            if isinstance(c, Element):
                yield c
                yield from c.iter()

    def all(self, match: Callable[[Element], bool] | str) -> list[Element]:
        """The elements within that ``match`` (a function, ``#id``, ``.class`` or a tag)."""
        if isinstance(match, str):
            key = match
            if key.startswith("#"):
                match = lambda e: e.attrs.get("id") == key[1:]  # noqa: E731
            elif key.startswith("."):
                match = lambda e: key[1:] in e.classes  # noqa: E731
            else:
                match = lambda e: e.tag == key  # noqa: E731
        return [e for e in self.iter() if match(e)]

    def one(self, match: Callable[[Element], bool] | str) -> Element:
        found = self.all(match)
        assert len(found) == 1, (match, len(found))
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.at = Element("#document", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(element)
        if tag not in VOID:
            self.at = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.at.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.at))

    def handle_endtag(self, tag: str) -> None:
        at: Element | None = self.at
        while at is not None and at.tag != tag:  # close what HTML leaves open (li, p …)
            at = at.parent
        if at is not None and at.parent is not None:
            self.at = at.parent

    def handle_data(self, data: str) -> None:
        self.at.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def table_rows(table: Element) -> list[list[str]]:
    """The body rows of a table as the texts of their cells (th and td)."""
    body = table.one("tbody")
    return [
        [c.text() for c in row.children if isinstance(c, Element) and c.tag in ("th", "td")]
        for row in body.all("tr")
    ]
