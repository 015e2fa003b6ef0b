#!/usr/bin/env bash
# Provisions a pinned Apache Spark home for the spark engine's tests, under <repo>/.cache/spark/.
# Spark's jars and bin/ ship inside PyPI's pyspark sdist (pyspark-X/deps/); no Python install of pyspark
# is needed, we only run the JVM (Java 17+). Idempotent: a second run only prints where Spark is.
#   .ci/provision-spark.sh            -> prints the Spark home on stdout (last line), progress on stderr
#   DUCKSTEPS_PYSPARK_SDIST=/path/pyspark-4.3.0.tar.gz .ci/provision-spark.sh   (use a copy already downloaded)
set -euo pipefail
VERSION=4.3.0
SHA256=e8c517948eff7088a7aa07449aa8eafa4a15a8d50319de2525a6fd26622476c6
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="$ROOT/.cache/spark"
HOME_DIR="$CACHE/spark-$VERSION"
MARKER="$HOME_DIR/.provisioned"

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$SHA256" ]; then
  echo "Spark $VERSION already provisioned" >&2
  echo "$HOME_DIR"
  exit 0
fi
command -v java >/dev/null || { echo "java (17+) is not on PATH: Spark needs a JVM" >&2; exit 1; }

mkdir -p "$CACHE/download"
sdist="$CACHE/download/pyspark-$VERSION.tar.gz"
check() { [ -f "$1" ] && echo "$SHA256  $1" | sha256sum -c --status; }
if ! check "$sdist"; then
  if [ -n "${DUCKSTEPS_PYSPARK_SDIST:-}" ] && check "$DUCKSTEPS_PYSPARK_SDIST"; then
    cp "$DUCKSTEPS_PYSPARK_SDIST" "$sdist"
  else
    echo "downloading pyspark==$VERSION (456 MB sdist) from PyPI..." >&2
    rm -f "$sdist"
    python3 -m pip download --quiet --no-deps --no-binary pyspark "pyspark==$VERSION" -d "$CACHE/download" >&2
    check "$sdist" || { echo "pyspark-$VERSION.tar.gz does not have the pinned sha256 $SHA256" >&2; exit 1; }
  fi
fi

echo "extracting Spark $VERSION (bin, sbin, jars) into $HOME_DIR" >&2
tmp="$CACHE/.extract-$$"
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
# connect-repl/ (the Scala REPL client) and examples are not needed to run a cluster
tar -xzf "$sdist" -C "$tmp" --strip-components=2 --exclude="*/deps/jars/connect-repl" \
  "pyspark-$VERSION/deps/bin" "pyspark-$VERSION/deps/sbin" "pyspark-$VERSION/deps/jars"
[ -f "$tmp/jars/spark-connect_2.13-$VERSION.jar" ] || { echo "spark-connect_2.13-$VERSION.jar missing from the sdist" >&2; exit 1; }
rm -rf "$HOME_DIR" && mv "$tmp" "$HOME_DIR"
echo "$SHA256" > "$MARKER"
# the sdist is no longer needed once extracted (keep it with DUCKSTEPS_KEEP_SDIST=1)
[ -n "${DUCKSTEPS_KEEP_SDIST:-}" ] || rm -f "$sdist"
echo "Spark $VERSION provisioned" >&2
echo "$HOME_DIR"
