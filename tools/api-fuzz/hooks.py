"""schemathesis hooks for scripts/api-fuzz.sh (loaded by schemathesis.toml's `hooks`).

schemathesis 4.32.5 validates response bodies with a Draft 2020-12 validator but first rewrites
`prefixItems` to the older tuple form `items: [...]`, which that validator rejects as an invalid
schema (the response side of schemathesis issue #3842). mufakat's tuples (`MyVotes.votes`,
`ConversationStats.votes_per_hour`: `[statement, vote]`, `[hour, votes]`) are valid OpenAPI 3.1,
so the served document keeps them; only the copy schemathesis loads spells each tuple as an
array of exactly its length whose items are any of its members.
"""

import schemathesis


def _loosen_tuples(node):
    if isinstance(node, dict):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and node.get("items") in (None, False):
            del node["prefixItems"]
            node["items"] = {"anyOf": prefix}
            node["minItems"] = node["maxItems"] = len(prefix)
        for value in node.values():
            _loosen_tuples(value)
    elif isinstance(node, list):
        for value in node:
            _loosen_tuples(value)


@schemathesis.hook
def before_load_schema(context, raw_schema):
    _loosen_tuples(raw_schema)
