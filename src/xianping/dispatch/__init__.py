"""重点项目月调度 and 监测预警: project measures, indicator monitoring and warnings (pure pandas/numpy, no I/O).

frames.py — the column contract of projects, plans and reports, validated with located problems
measures.py — completion, pace against the calendar and the 四率, per project, county and sector
monitoring.py — indicator values against the year's targets and the provincial average growth
warning_rules.py — colour rules (YAML, builtin/warnings.yaml) applied to all of them
"""
