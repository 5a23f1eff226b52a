"""syncrules: rules as code for the Account Engagement ↔ Salesforce CRM sync.

The public API lives in `engine.api`; this module stays light so the CLI starts fast.
"""

__version__ = "0.1.0"
