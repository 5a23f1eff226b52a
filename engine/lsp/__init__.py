"""The language server (`syncrules lsp`): the only package that imports pygls.

`symbols` and `features` are pure (an index of names, hover text, completions, quick
fixes, semantic tokens); `workspace` knows which files make a rule set and checks them;
`server` speaks the protocol.
"""
