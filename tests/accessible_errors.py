"""A page's form errors as assistive technology reads them: the element a test names, and the texts its
aria-describedby points to, from the parsed HTML (every id named must be on the page exactly once)."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        self.elements.append((tag, named))
        if "id" in named:
            self.ids.append(named["id"])
            self.texts[named["id"]] = ""
        if tag not in VOID:
            self._open.append((tag, named.get("id")))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, id_ in self._open:
            if id_:
                self.texts[id_] += data


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def element(page: str, tag: str, **attrs: str) -> dict[str, str]:
    """The attributes of the one ``tag`` on the page that has each of ``attrs`` (``name_`` for name)."""
    wanted = {key.rstrip("_"): value for key, value in attrs.items()}
    found = [
        named
        for name, named in _parsed(page).elements
        if name == tag and all(named.get(key) == value for key, value in wanted.items())
    ]
    assert len(found) == 1, (tag, attrs, len(found))
    return found[0]


def described_by(page: str, named: dict[str, str]) -> list[str]:
    """The texts, space-normalised, of the elements an element's aria-describedby names, in its order."""
    parsed = _parsed(page)
    ids = named["aria-describedby"].split()
    assert all(parsed.ids.count(id_) == 1 for id_ in ids), ids
    return [" ".join(parsed.texts[id_].split()) for id_ in ids]
