#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>, not committed) from the
# test fixtures. Run from the fuzz folder.
set -euo pipefail
fx=../tests/fixtures
mkdir -p corpus/geojson corpus/csv corpus/shapefile corpus/brief corpus/osm_pbf \
  corpus/flatgeobuf corpus/geopackage corpus/geoparquet
seed() { # target files...
  local t=$1; shift
  for f in "$@"; do cp "$f" "corpus/$t/$(basename "$(dirname "$f")")_$(basename "$f")"; done
}
seed geojson "$fx"/bad/*/*.geojson "$fx"/catalog/*.geojson "$fx"/rank/*.geojson
seed csv "$fx"/bad/*/*.csv "$fx"/catalog/*.csv
seed flatgeobuf "$fx"/gdal_written/out/*.fgb
seed geopackage "$fx"/gdal_written/out/*.gpkg
seed geoparquet "$fx"/geoparquet_written/out/points*.parquet "$fx"/geoparquet_written/out/polygons.parquet "$fx"/geoparquet_written/bad/*.parquet
i=0
for f in "$fx"/shp/*/friches.shp "$fx"/bad/shp_*/f.shp; do
  base=${f%.*}
  [ -f "$base.dbf" ] || continue
  shp=$(stat -c %s "$f"); shx=$(stat -c %s "$base.shx" 2>/dev/null || echo 0); dbf=$(stat -c %s "$base.dbf")
  total=$((shp + shx + dbf))
  a=$((shp * 256 / (total + 1))); b=$((shx * 256 / (total - shp + 1)))
  { printf "\\x$(printf %02x $a)\\x$(printf %02x $b)"; cat "$f"; [ -f "$base.shx" ] && cat "$base.shx"; cat "$base.dbf"; } > corpus/shapefile/seed$i
  i=$((i + 1))
done
seed brief "$fx"/bad/*/brief.toml ../examples/briefs/*.toml "$fx"/rank/brief.toml
# The OSM test extracts (the small one whole; the first 64 KB of the Monaco one).
raw=../../shared/data/raw/osm
if [ -d "$raw" ]; then
  cp "$raw/saint_barthelemy.osm.pbf" corpus/osm_pbf/stb.osm.pbf
  head -c 65536 "$raw/monaco.osm.pbf" > corpus/osm_pbf/monaco_head.osm.pbf
fi
# A file the fuzzer found that overflows osmpbf's arithmetic (tests/fixtures/osm).
cp "$fx"/osm/overflow.osm.pbf corpus/osm_pbf/overflow.osm.pbf
