#!/usr/bin/env bash
# Makes the corpus's two 12 MP photo-like JPEGs, the size a phone or camera takes, for the thumbnail's 1/8
# scale decode (ThumbnailQualityTests): smooth colour fields (vips perlin, fixed seeds) plus grain, as a
# camera's sensor adds it; the grain is what makes a photo's Huffman pass cost what it does.
#   photos/made-12mp-landscape-4000x3000.jpg  quality 88, grain sigma 6
#   photos/made-12mp-portrait-3000x4000.jpg   quality 80, grain sigma 4
# Needs the vips command (libvips-tools). Nothing is random: the files are the same on every run.
set -o errexit -o nounset -o pipefail
out="$(cd "$(dirname "$0")" && pwd)/corpus/photos"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
make() {  # NAME WIDTH HEIGHT CELL SEED GRAIN QUALITY
  for band in 0 1 2; do
    vips perlin "$work/p$band.v" "$2" "$3" --cell-size "$4" --uchar --seed $(($5 + band))
  done
  vips bandjoin "$work/p0.v $work/p1.v $work/p2.v" "$work/base.v"
  vips gaussnoise "$work/noise.v" "$2" "$3" --sigma "$6" --mean 0 --seed "$5"
  vips add "$work/base.v" "$work/noise.v" "$work/sum.v"
  vips cast "$work/sum.v" "$work/cast.v" uchar
  vips copy "$work/cast.v" "$out/$1[Q=$7,strip]" --interpretation srgb
}
make made-12mp-landscape-4000x3000.jpg 4000 3000 190 11 6 88
make made-12mp-portrait-3000x4000.jpg 3000 4000 270 23 4 80
