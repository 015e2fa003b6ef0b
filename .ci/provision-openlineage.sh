#!/usr/bin/env bash
# Lays out the official OpenLineage Java client (io.openlineage:openlineage-java) and its dependencies under
# .cache/openlineage-java/jars/, from Maven Central (mvn), pinned, every jar checked against its sha256 below.
# tests/openlineage.test.ts reads the events a run wrote back with it (tests/openlineage/Reader.java, run with
# `java -cp 'jars/*' Reader.java`): the consumer of the OpenLineage tests. Test infrastructure only; the
# product installs with npm alone. Idempotent: a second run downloads nothing and rewrites nothing.
#
# Env: DUCKSTEPS_CACHE (default: <repo>/.cache)
set -euo pipefail

VERSION=1.54.0
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${DUCKSTEPS_CACHE:-$repo/.cache}"
out="$cache/openlineage-java"
jars="$out/jars"

# sha256 of every jar openlineage-java 1.54.0 needs (its Maven dependencies, resolved once and pinned here).
read -r -d '' PINNED <<'SUMS' || true
22d1d4316c4ec13a68b559e98c8256d69071593731da96136640f864fa14fad8 HdrHistogram-2.2.2.jar
a2af247ec4db6eb8947e18e23e0433e4871a7c5d0a40e1f92e46ede54ae1defe commons-lang3-3.21.0.jar
d175dbd751dd782a63bde28c7a039520e971f25e84b79c19b8435edc3603e0dc commons-logging-1.4.0.jar
bdef5f8841145cd76c4c605ff301bc840eea0d5292332b7b892a93316c0d8ee1 httpclient5-5.6.4.jar
18bfbbabb478dfb67f31aeaf428c387f3c3df654582e1309f708ee1f3086830a httpcore5-5.4.3.jar
c7db7026b8e2dea39132b04a6069f6671e2858309b20a146ec5c7dd6ed73a0b6 httpcore5-h2-5.4.3.jar
798c85b86e7420d0b4eb91e7b3e37d4bee673c61de37a616ba51a7539631e6b7 jackson-annotations-2.18.9.jar
e03144f48c8d5307da2894570b4972aab8c72f22440f8dcdb745be2485ce2024 jackson-core-2.18.9.jar
71595a3f7ff58344ec0496a9f9ec9f623ef7b85b45402d88f1ca261f1bc4b42c jackson-databind-2.18.9.jar
0842c09ea5d21a7a4a604aafe1c9f5f206bdfaf4b2df7008c09bf5190639df9a jackson-dataformat-yaml-2.18.9.jar
c0f2490297fd3d376e28eb3bdb58e8c99e4a079493f5dabd70cd0c7ab1713696 jackson-datatype-jdk8-2.18.9.jar
1b35df59d068f97e7b89e1cc2244644ffeadbf31aff970dc112fff0cabba8e9c jackson-datatype-jsr310-2.18.9.jar
9b39256e9d7f3896f02e436e8086af6c63cb30318a22e6214e11c01bf6715572 jackson-module-blackbird-2.18.9.jar
070d75f261fe4c5b8202508366715f7f2d4660f88c8ef7e6d3575e48c9683b66 jspecify-1.0.1.jar
f2cee6ef046e72eec8128474c7f58c6217173b45ae373c30de0289f2a56ab0fd micrometer-commons-1.17.1.jar
9ca47dfa831409b40253c8dc98c17b9d3e050ebbde4d1543c5521dca2b95ad56 micrometer-core-1.17.1.jar
eb34f0cd84a879393ae5c21160fc06385ccdc74f36a4d1e31b199f59acfdaf71 micrometer-observation-1.17.1.jar
07fe5160690969682917dbf019138cb86196f77efbefffcd9d9ce09f831eeb4c openlineage-java-1.54.0.jar
d3ef575e3e4979678dc01bf1dcce51021493b4d11fb7f1be8ad982877c16a1c0 slf4j-api-1.7.36.jar
63a76fe66b652360bd4c2c107e6f0258daa7d4bb492008ba8c26fcd230ff9146 snakeyaml-2.3.jar
SUMS

verified() {
  [ -d "$jars" ] || return 1
  while read -r sum name; do
    [ -f "$jars/$name" ] && [ "$(sha256sum "$jars/$name" | cut -d' ' -f1)" = "$sum" ] || return 1
  done <<<"$PINNED"
}

if verified; then
  echo "provision-openlineage: openlineage-java $VERSION up to date ($jars)"
  exit 0
fi
command -v mvn >/dev/null || { echo "provision-openlineage: needs Maven (mvn) to fetch openlineage-java from Maven Central" >&2; exit 1; }
command -v java >/dev/null || { echo "provision-openlineage: needs Java 11 or later" >&2; exit 1; }
mkdir -p "$out"
cat > "$out/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>ducksteps.tests</groupId><artifactId>openlineage-reader</artifactId><version>1</version>
  <dependencies><dependency><groupId>io.openlineage</groupId><artifactId>openlineage-java</artifactId><version>$VERSION</version></dependency></dependencies>
</project>
POM
rm -rf "$jars.tmp"
# -C: a checksum that does not match Maven Central's fails the download
mvn -q -B -C -f "$out/pom.xml" dependency:copy-dependencies -DoutputDirectory="$jars.tmp" -Dmaven.repo.local="$out/m2"
while read -r sum name; do
  got="$(sha256sum "$jars.tmp/$name" 2>/dev/null | cut -d' ' -f1 || true)"
  [ "$got" = "$sum" ] || { echo "provision-openlineage: $name is missing or its sha256 is $got, not $sum" >&2; exit 1; }
done <<<"$PINNED"
rm -rf "$jars" && mv "$jars.tmp" "$jars"
echo "provision-openlineage: openlineage-java $VERSION -> $jars"
