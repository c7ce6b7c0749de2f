"""Manager dashboard, reports with streaming CSV exports, and change-history pages (issue 5).

Aggregates are computed in SQL (conditional aggregation), pages do a fixed number of
queries whatever the data size, and practitioners see their own figures only.
"""
