#!/usr/bin/env bash
# Lays out DuckDB extension files (ducklake, postgres_scanner, sqlite_scanner, tpch, httpfs, tpcds) as a DuckDB
# extension_directory under .cache/, taken from PyPI's duckdb-extension-* wheels, for machines where DuckDB
# cannot download its own extensions (extensions.duckdb.org unreachable). Pinned to the DuckDB of
# @duckdb/node-api in packages/ducksteps/package.json; every wheel is checked against its sha256 (pip --require-hashes).
# Idempotent: a second run downloads nothing and rewrites nothing.
#
#   .ci/provision-extensions.sh [name ...]      default: all six
#   -> .cache/duckdb-extensions/v1.5.5/<platform>/<name>.duckdb_extension   (SET extension_directory = …)
#
# Env: DUCKDB_PLATFORM (default: this machine, as DuckDB's PRAGMA platform names it: linux_amd64, …)
#      DUCKSTEPS_CACHE (default: <repo>/.cache)
set -euo pipefail

DUCKDB_VERSION=1.5.5
ALL=(ducklake postgres_scanner sqlite_scanner tpch httpfs tpcds)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${DUCKSTEPS_CACHE:-$repo/.cache}"

# The node binding pins DuckDB; provisioning extensions of another version would fail at LOAD time.
pinned="$(sed -n 's/.*"@duckdb\/node-api": *"\([0-9.]*\)-r\.[0-9]*".*/\1/p' "$repo/packages/ducksteps/package.json")"
if [ "$pinned" != "$DUCKDB_VERSION" ]; then
  echo "provision-extensions: package.json pins @duckdb/node-api to DuckDB '$pinned' but this script to $DUCKDB_VERSION; update DUCKDB_VERSION and the hashes below" >&2
  exit 1
fi

# DuckDB's platform name (PRAGMA platform) and the wheel's platform tag on PyPI.
detect_platform() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux_amd64 ;;
    Linux-aarch64 | Linux-arm64) echo linux_arm64 ;;
    Darwin-arm64) echo osx_arm64 ;;
    Darwin-x86_64) echo osx_amd64 ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) echo windows_amd64 ;;
    *) echo "provision-extensions: unknown platform $(uname -s)-$(uname -m); set DUCKDB_PLATFORM" >&2; return 1 ;;
  esac
}
platform="${DUCKDB_PLATFORM:-$(detect_platform)}"
case "$platform" in
  linux_amd64) tag=manylinux2014_x86_64 ;;
  linux_arm64) tag=manylinux2014_aarch64 ;;
  osx_arm64) tag=macosx_11_0_arm64 ;;
  osx_amd64) tag=macosx_11_0_x86_64 ;;
  windows_amd64) tag=win_amd64 ;;
  *) echo "provision-extensions: no duckdb-extension wheels on PyPI for platform '$platform'" >&2; exit 1 ;;
esac

# sha256 of every wheel of version 1.5.5 (from https://pypi.org/simple/duckdb-extension-<name>/).
hashes() {
  case "$1" in
    ducklake) echo b631ae4dd4bd649b3db35a789dbcc859476fe231ef449b3f03f4fe4e2ef4a946 cd8280d3a20c744f7e113137a17a053f751b9cc469a9b694c43e1b8539fd30af d6a65e39a38bd03270ed54715f5c16f6695954742b74c0c77ed1cfc0eda33f67 48b089cccf3d609a51e2372dabf85de9dad96ce09f478b0647a2ffd316f495ef f1722cf7d6fba148cc443a0f9c8bc3b20b0bce44c6c6ae54193784bd15acb0b1 ;;
    postgres_scanner) echo fea9413d1b5bded7ead650aff91b3d7578c5149d832f666100b362f64404bf18 5b50d53ecb192fca381c79ebd70da43b98fefe28a5781162081777f65efc8268 053b9ee8abf30f1880a244c9396323273ec99cf4d72a658e702cf536848b7e5c 797acdb64f10280303b66fb56c3537d3a7c82eab7cf6dfb4c71307c81c3e7b0d 41fe1e2600059198300c40a0228b3a179586d197d33872a0849c7edd91426f78 ;;
    sqlite_scanner) echo 0af00f8e4e6e0562e0fac1bb22d5c4a29d616a664da4194b51cbd26355b9a0c2 8ecdf91ba4572fcee32500919b7cd2717d74d2bfe65c2910ad2b1c4b9d9b0c07 214efb42ded3e752fd3d537f953d2ab0093716abef4f9197986cafe5e5f4fd5d 7b0fc7f402d780bf706fe8ea9af04dc179cc951855e3b307a43b0f20d95e8bde 44dea0db5349823ea7a9b44e0bffcb6fa53b4b820321f2ca351e83667814e70f ;;
    tpch) echo e734f284fd94971f1241718281111add95457b3c35ec3f19ce39770e654a21e7 8611e49c4c9470c1d6b2abab9bcbf7f1d26eabce21deb70ee9103ae3f6d3bc4b 69e79ab6ceb4b33b2589423e2a05ae056f6a9ce00e2ea636b61975d3e4fd0657 ad718c5da1f354dad835f466c550c7c84827b4522d5d7ff108c80c9c7ef21d69 6fe75767ad90e533128041475b5fa583c4235837584c87b501561ad18a302805 ;;
    httpfs) echo 84913dbe172ccb54368de2c4a020c38ca8b0e76f99df548f7fac37934cc7826f 567d17e398fc29f7ea4bc42ea277ea19643bd1ad1815f676cb6dd994b50399bb a6d9b245ac83834543354e826020b35b8dba16291bb876b2b00bd49f2c6aeb9d 5dc6e48e7a6d4c775d88fcd9b6529b385559600c0cd17a2600addfdd34ae3060 138fd4368906c04636642023c123bd564d1bd1b9b75cd762f9f9bfad6fccb1ba ;;
    tpcds) echo fd1ad5b4b5443d0e32d1ebe9122845eb3d2b74466cee2cd56650024e9196f697 aed70279a17153f960d7a67cd46682c2a9e0be523c527c6a125c08211d7d950e 9a036f66a32285bc69ecb7af834d384495a46478b238b9ded9bdd2b80eb38b9e a594b34991a780df75327f386bf79420d4497ba1d84bca27f082aeaed1db648c 28ed07e41234602584e194039a98639a0c6df4b4b648d71618992d76af5bd6d9 ;;
    *) echo "provision-extensions: unknown extension '$1' (known: ${ALL[*]})" >&2; return 1 ;;
  esac
}

python="$(command -v python3 || command -v python || true)"
if [ -z "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
  echo "provision-extensions: needs Python 3 with pip (python3 -m pip) to download the duckdb-extension-* wheels from PyPI" >&2
  exit 1
fi

# sha256sum is not on macOS, shasum not on every Linux: Python is here anyway.
sha256() { "$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }

wheels="$cache/wheels"
out="$cache/duckdb-extensions/v$DUCKDB_VERSION/$platform"
mkdir -p "$wheels" "$out"

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")

for name in "${names[@]}"; do
  hashes "$name" >/dev/null
  target="$out/$name.duckdb_extension"
  stamp="$wheels/$name.extracted-from.sha256"
  wheel="$wheels/duckdb_extension_$name-$DUCKDB_VERSION-py3-none-$tag.whl"
  if [ -f "$target" ] && [ -f "$wheel" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256 "$wheel")" ]; then
    echo "provision-extensions: $name up to date ($target)"
    continue
  fi
  req="$wheels/$name.requirements.txt"
  {
    printf 'duckdb-extension-%s==%s' "${name//_/-}" "$DUCKDB_VERSION"
    for h in $(hashes "$name"); do printf ' \\\n    --hash=sha256:%s' "$h"; done
    printf '\n'
  } > "$req"
  # --platform/--only-binary: the wheel for DuckDB's platform, also when provisioning for another machine.
  "$python" -m pip download --quiet --no-deps --require-hashes --only-binary=:all: --platform "$tag" \
    --dest "$wheels" -r "$req"
  [ -f "$wheel" ] || { echo "provision-extensions: pip did not produce $wheel" >&2; exit 1; }
  # The wheel is a zip with duckdb_extension_<name>/extensions/v<version>/<name>.duckdb_extension.
  "$python" - "$wheel" "$name" "$DUCKDB_VERSION" "$target" <<'PY'
import os, shutil, sys, zipfile
wheel, name, version, target = sys.argv[1:]
member = f"duckdb_extension_{name}/extensions/v{version}/{name}.duckdb_extension"
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(target + ".tmp", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.replace(target + ".tmp", target)
PY
  sha256 "$wheel" > "$stamp"
  echo "provision-extensions: $name -> $target"
done
echo "provision-extensions: SET extension_directory = '$cache/duckdb-extensions';"
