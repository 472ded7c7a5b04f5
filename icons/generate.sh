#!/usr/bin/env bash
# Draws the Keebai Keys icon (a key on an indigo rounded square) with ImageMagick and writes the
# RGBA PNG sizes tauri.conf.json lists. The PNGs are committed; run this only to change the art.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 1024x1024 xc:none \
  -fill '#4338ca' -draw 'roundrectangle 64,64 960,960 200,200' \
  -fill '#ffffff' -draw 'circle 380,512 380,332' \
  -fill '#4338ca' -draw 'circle 380,512 380,442' \
  -fill '#ffffff' -draw 'rectangle 520,476 860,548' \
  -fill '#ffffff' -draw 'rectangle 740,548 800,660' \
  -fill '#ffffff' -draw 'rectangle 640,548 690,620' \
  PNG32:icon-1024.png
for size in 32 128 256 512; do
  convert icon-1024.png -resize "${size}x${size}" PNG32:"${size}x${size}.png"
done
cp 256x256.png 128x128@2x.png
# Windows' multi-size icon, for a Windows build.
convert icon-1024.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
cp 512x512.png icon.png
rm icon-1024.png
