{# Replaces a table with a query's rows only when they differ, so an unchanged snapshot costs a read and
   no write (nothing for DuckDB to checkpoint). Use with a call block:
     {% import "macros/snapshot.sql" as snapshot %}
     {% call snapshot.refresh('raw.customers') %} SELECT … {% endcall %}; #}
{% macro refresh(table) %}
CREATE OR REPLACE TEMP TABLE snapshot_new AS {{ caller() }};
CREATE TABLE IF NOT EXISTS {{ table }} AS FROM snapshot_new WHERE false;
CREATE OR REPLACE TEMP TABLE snapshot_changed AS
SELECT (SELECT count(*) FROM (FROM snapshot_new EXCEPT ALL FROM {{ table }}))
     + (SELECT count(*) FROM (FROM {{ table }} EXCEPT ALL FROM snapshot_new)) > 0 AS changed;
DELETE FROM {{ table }} WHERE (SELECT changed FROM snapshot_changed);
INSERT INTO {{ table }} SELECT * FROM snapshot_new WHERE (SELECT changed FROM snapshot_changed)
{%- endmacro %}
