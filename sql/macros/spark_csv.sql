{# Reading landing CSV files on Spark (used by the .spark.sql files). Import with:
     {% import "macros/spark_csv.sql" as csv %}
   A cluster resolves paths from its own folder: paths are made absolute (the `absolute` filter), and each file
   gets its own temporary view by its literal path (Spark's `path` option is a glob pattern otherwise: a name with
   [ ] * ? would match other files or none). Every column is text, as DuckDB's all_varchar. #}

{# A temporary view `name` over one CSV file with a header. `corrupt`: a last column that holds the whole line when
   it does not have the header's number of fields (PERMISSIVE mode; its other columns are then partly filled). #}
{% macro view(name, path, columns, corrupt=none) %}
CREATE OR REPLACE TEMPORARY VIEW {{ name }} ({{ columns | join(' STRING, ') }} STRING{{ (', ' ~ corrupt ~ ' STRING') if corrupt else '' }})
USING csv OPTIONS (path {{ path | absolute | sql_string }}, header 'true', __globPaths__ 'false', mode 'PERMISSIVE'{{ (', columnNameOfCorruptRecord ' ~ (corrupt | sql_string)) if corrupt else '' }})
{%- endmacro %}

{# The file's rows in the order of its lines: monotonically_increasing_id() grows with the line within one file's
   scan (the file's splits are read in order), so ordering by it is ordering by line. #}
{% macro in_line_order(view) %}(SELECT *, monotonically_increasing_id() AS scan_position FROM {{ view }}){% endmacro %}
