"""One module per lint rule, named for the rule; each registers itself on import."""
