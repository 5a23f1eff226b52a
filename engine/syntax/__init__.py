"""Rule-file text → lark tree → AST. `lark` is imported only inside this package."""
