"""The OpenAPI document of /api/v1/ as committed in docs/openapi.json (generated from the code)."""

import json

from api.views import api

PATH_PREFIX = "/api/v1/"


def openapi_document() -> str:
    """The document as text: sorted keys, two-space indent, a final newline (stable diffs)."""
    schema = api.get_openapi_schema(path_prefix=PATH_PREFIX)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
