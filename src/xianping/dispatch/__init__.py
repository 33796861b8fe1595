"""重点项目月调度 and 监测预警: project measures, indicator monitoring and warnings (pure pandas/numpy, no I/O).

frames.py — the column contract of projects, plans and reports, validated with located problems
measures.py — completion, pace against the calendar and the 四率, per project, county and sector (projects × 12)
monitoring.py — indicator values against the year's targets and the provincial average growth
warning_rules.py — colour rules (YAML, builtin/warnings.yaml) applied to all of them
evaluate_month.py — one month's (or period's) tables with colours, JSON-ready
phrasing.py — the notice's sentences (完成年度计划的X%，超时序进度N个百分点)
synthetic.py — a seeded made-up year for the benchmark and cross-checks
"""
