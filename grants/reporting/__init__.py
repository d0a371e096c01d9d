"""The reporting layer: the programme's figures, read once and shaped with pandas.

SQL filters and aggregates (GROUP BY on the breakdowns' expressions); pandas pivots, fills,
totals and shapes. Every figure is built from the breakdowns of `breakdowns.py` (one
definition each: period, region, sex, age band, sector, project type, envelope and funding
source, call, channel), within a `ReportFilter` and the viewer's scope (`scope.py`). Money
stays whole F CFA: integer columns read as pandas' nullable `Int64`, never floats."""
