"""The Jinja2 environment shared by the HTML renderers, and how data goes into a page.

Jinja2 (pure Python, ~1 MB, already how the house style's anchor renders templates)
keeps markup in templates, escapes every value by default and gives template errors
with a file and line; hand-built strings would do none of that. Every page is one
self-contained file: styles and scripts are inlined and nothing is fetched at view time.
"""

from __future__ import annotations

import functools
import json

import jinja2
from markupsafe import Markup


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("engine.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def embed_json(data: object) -> Markup:
    """JSON for a `<script type="application/json">` block: `<` is escaped, so no value
    (a prospect's company called `</script>`, say) can end the block early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return Markup(text.replace("<", "\\u003c"))


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
