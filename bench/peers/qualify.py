# Qualifies the TPC-H tables of each query with a schema, as SQLMesh models need (tpch.lineitem); only
# table references change (a column alias such as Q9's "nation" stays). Reads and writes JSON {n: sql}.
#   python qualify.py SCHEMA IN.json OUT.json
import json, sys
import sqlglot
from sqlglot import exp

TABLES = {'customer', 'lineitem', 'nation', 'orders', 'part', 'partsupp', 'region', 'supplier'}
schema, src, dst = sys.argv[1:4]
out = {}
for n, sql in json.load(open(src)).items():
    tree = sqlglot.parse_one(sql.strip().rstrip(';'), dialect='duckdb')
    for t in tree.find_all(exp.Table):
        if t.name.lower() in TABLES and not t.db:
            t.set('db', exp.to_identifier(schema))
    out[n] = tree.sql(dialect='duckdb', pretty=True)
json.dump(out, open(dst, 'w'), indent=1)
