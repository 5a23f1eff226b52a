"""SFDX metadata → rule-set declarations: the second front end (SPEC §1, import salesforce).

`tree.import_tree` reads a source tree into the same AST nodes the rule-file parser
produces, with spans that point into the XML files; `text` renders them back as rule-file
text (`syncrules import-salesforce DIR`), and `report` says how a tree's validation rules
fare (`--report`).
"""
