"""Helpers shared by the test suites: the table from template.yaml and the sample events."""
