#!/bin/sh
# make_docs.sh DIR: the test documents of jobproc_bench (see bench/README.md,
# "Job processors"), written by Ghostscript only (pdfwrite from PostScript):
#
#   DIR/text-100.pdf   100 pages of black text (the default colour, DeviceGray)
#   DIR/mixed-100.pdf  100 pages of text drawn with `0 0 0 setrgbcolor`;
#                      pages 10, 20, ..., 100 also carry a small red square.
#                      Truth: 10 colour pages, exactly those ten.
#   DIR/text-1.pdf     one page of black text
#
# The PostScript sources are kept beside them (*.ps). Needs gs on PATH.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"
command -v gs >/dev/null || { echo "make_docs.sh: gs not found" >&2; exit 1; }

# pages(N, RGB, MARK): N pages of 60 lines of text each. RGB: draw the text
# with "0 0 0 setrgbcolor" instead of the default gray. MARK: a red 12 pt
# square at the foot of every 10th page.
write_ps() {  # $1 file, $2 pages, $3 rgb (0/1), $4 mark (0/1)
  cat >"$1" <<EOF
%!PS-Adobe-3.0
%%Title: quire bench $2 pages
%%Pages: $2
%%EndComments
/Helvetica findfont 10 scalefont setfont
/rgb $3 0 ne def
/mark? $4 0 ne def
/num 8 string def
1 1 $2 {
  /p exch def
  rgb { 0 0 0 setrgbcolor } { 0 setgray } ifelse
  1 1 60 {
    /l exch def
    50 790 l 12 mul sub moveto
    (Page ) show p num cvs show ( line ) show l num cvs show
    (: The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.) show
  } for
  mark? p 10 mod 0 eq and { 1 0 0 setrgbcolor 540 30 12 12 rectfill } if
  showpage
} for
%%EOF
EOF
}

make_pdf() {  # $1 name, $2 pages, $3 rgb, $4 mark
  write_ps "$dir/$1.ps" "$2" "$3" "$4"
  gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -o "$dir/$1.pdf" "$dir/$1.ps"
  echo "$dir/$1.pdf: $2 pages, $(wc -c <"$dir/$1.pdf") bytes"
}

make_pdf text-100 100 0 0
make_pdf mixed-100 100 1 1
make_pdf text-1 1 0 0
