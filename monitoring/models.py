# Signals and VSV status arrive with the monitoring issue; the rule book is MONITORING.md.
