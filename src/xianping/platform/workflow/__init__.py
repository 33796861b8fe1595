"""Workflow services of the assessment platform: one file per verb, each a transaction with its audit rows."""
