"""``{% memo key … %}…{% endmemo %}``: a piece of a template rendered once per process for each value
of its keys and of the active language, then reused.

For the parts every staff page repeats that depend on nothing but the language and a few named values
(the navigation's links and labels, a table's headings): their ``{% url %}``s and translations are
looked up once instead of on every request. What is inside must depend only on the keys, the language
and the site's address prefix, which are the cache key: never a CSRF token, the user's name, a query
string or anything else of the request (``tests/kartosfera/test_memo.py`` holds the rule for the
templates that use it).
"""

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Keys are few (languages × queues × roles); a bound keeps a key with an unbounded value (a count)
# from growing the cache without end.
_MAX_ENTRIES = 512


class MemoNode(template.Node):
    def __init__(self, nodelist: template.NodeList, keys: list) -> None:
        self.nodelist = nodelist
        self.keys = keys
        self.rendered: dict[tuple, SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (get_language(), get_script_prefix(), *(key.resolve(context) for key in self.keys))
        html = self.rendered.get(key)
        if html is None:
            if len(self.rendered) >= _MAX_ENTRIES:
                self.rendered.clear()
            html = self.rendered[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered by the engine)
        return html


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """``{% memo key1 key2 %}…{% endmemo %}``: see the module's docstring."""
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, keys)
