"""Record sets in and out: YAML, JSON (plain and Salesforce data-tree) and CSV."""
