-- publish: file output/rejected_orders.csv
-- The rejected order lines with their reason, for the source system's owners.
SELECT * {{ 'EXCEPT' if engine == 'spark' else 'EXCLUDE' }} (batch_id, source_row) FROM core.rejected_orders ORDER BY reject_reason, source_file, source_row, raw_line
