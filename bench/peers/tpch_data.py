# Generates TPC-H data with DuckDB's tpch extension and writes one Parquet file per table, once per scale
# factor (cached). Also writes queries.json (the 22 query texts, from tpch_queries()) and answers.json (row
# counts of the official answers, from tpch_answers(), when the extension has them for this scale factor).
#   python tpch_data.py EXTENSION_PATH OUT_DIR SF
import json, os, sys, duckdb

ext, out, sf = sys.argv[1], sys.argv[2], float(sys.argv[3])
done = os.path.join(out, 'done.json')
if os.path.exists(done):
    sys.exit(0)
os.makedirs(out, exist_ok=True)
for leftover in ('gen.duckdb', 'gen.duckdb.wal'):  # an interrupted earlier attempt
    if os.path.exists(os.path.join(out, leftover)):
        os.remove(os.path.join(out, leftover))
con = duckdb.connect(os.path.join(out, 'gen.duckdb'))
con.execute(f"LOAD '{ext}'")
con.execute(f'CALL dbgen(sf={sf})')
tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()]
for t in tables:
    con.execute(f"COPY {t} TO '{os.path.join(out, t + '.parquet')}' (FORMAT parquet, COMPRESSION zstd)")
queries = {int(n): q for n, q in con.execute('SELECT query_nr, query FROM tpch_queries() ORDER BY 1').fetchall()}
answers = {}
for n, answer in con.execute('SELECT query_nr, answer FROM tpch_answers() WHERE scale_factor = ? ORDER BY 1', [sf]).fetchall():
    answers[int(n)] = max(0, len(answer.strip().split('\n')) - 1)  # the answer is a header line plus one line per row
json.dump(queries, open(os.path.join(out, 'queries.json'), 'w'), indent=1)
json.dump(answers, open(os.path.join(out, 'answers.json'), 'w'), indent=1)
con.close()
os.remove(os.path.join(out, 'gen.duckdb'))
json.dump({'sf': sf, 'tables': tables}, open(done, 'w'))
