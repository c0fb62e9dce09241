"""Sample documents for CUPS's stock ipptool suites.

ipp-1.1.test, ipp-2.0.test, ipp-2.1.test and ipp-everywhere.test (in
/usr/share/cups/ipptool) print documents that Debian does not ship:
document-{a4,letter}.{pdf,ps}, color.jpg, gray.jpg and the PWG raster
samples pwg-raster-samples-<R>dpi/<type>/<name>-<type>-<R>dpi.pwg. ipptool
refuses a whole test file when a plain FILE is missing (the raster tests say
SKIP-IF-MISSING and are only skipped), so run ipptool from the folder
make_samples() fills:

    folder = make_samples(tmp)
    subprocess.run(["ipptool", "-tI", "-f", "document-a4.pdf", uri,
                    "/usr/share/cups/ipptool/ipp-everywhere.test"], cwd=folder)

Everything is drawn by one small PostScript program per page and rendered
with Ghostscript: pdfwrite for the PDFs, jpeg/jpeggray for the photos,
pwgraster for the rasters (with an explicit cupsColorSpace and
cupsBitsPerColor: gs's default is 1-bit black). The PostScript files are the
program itself with DSC comments. Standard library only; about 3-6 s on two
cores. Also a script: python3 samples.py DIR
"""
import concurrent.futures
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

IPPTOOL_DIR = "/usr/share/cups/ipptool"
SUITES = ("ipp-1.1.test", "ipp-2.0.test", "ipp-2.1.test", "ipp-everywhere.test")

PAPERS = {"a4": (595, 842, "A4 (210 x 297 mm)"), "letter": (612, 792, "US Letter (8.5 x 11 in)")}
PHOTO = (288, 432)  # 4 x 6 in, portrait
DOCUMENT_PAGES = 3  # document-*: several pages (duplex, page ranges); onepage-*: one

RESOLUTIONS = (150, 180, 300, 360, 600, 720)
# PWG 5102.4 colour types: cupsColorSpace (3 = K, 6 = CMYK, 18 = sGray,
# 19 = sRGB) and bits per colour.
RASTER_TYPES = {"black-1": (3, 1), "sgray-8": (18, 8), "srgb-8": (19, 8), "srgb-16": (19, 16), "cmyk-8": (6, 8)}
# The raster pages each type needs, as ipp-everywhere.test names them.
RASTER_PAGES = {
    "black-1": ("onepage-a4", "document-a4", "onepage-letter", "document-letter", "color.jpg-4x6", "gray.jpg-4x6"),
    "sgray-8": ("onepage-a4", "document-a4", "onepage-letter", "document-letter", "color.jpg-4x6", "gray.jpg-4x6"),
    "cmyk-8": ("onepage-a4", "document-a4", "onepage-letter", "document-letter", "color.jpg-4x6", "gray.jpg-4x6"),
    "srgb-8": ("onepage-a4", "document-a4", "onepage-letter", "document-letter", "color.jpg-4x6"),
    "srgb-16": ("color.jpg-4x6",),
}

# --- the pages, in PostScript --------------------------------------------------

LOREM = ("Quire is a print-management server. This page exercises text, rules,",
         "solid colours, a grey ramp and the page edges, so that a printed copy",
         "shows clipping, colour handling and scaling at a glance.")


def _ps_string(s):
    return "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def text_page(paper, title, page, pages):
    """One page of document-* / onepage-*: a frame 1/4 in inside the edge,
    a title, body text, colour swatches and a grey ramp."""
    w, h, label = PAPERS[paper]
    out = ["<< /PageSize [%d %d] >> setpagedevice" % (w, h),
           "0 setgray 0.5 setlinewidth 18 18 %d %d rectstroke" % (w - 36, h - 36),
           "/Helvetica-Bold findfont 28 scalefont setfont 54 %d moveto %s show" % (h - 90, _ps_string(title)),
           "/Helvetica findfont 14 scalefont setfont 54 %d moveto %s show"
           % (h - 116, _ps_string("Page %d of %d - %s" % (page, pages, label)))]
    out.append("/Times-Roman findfont 12 scalefont setfont")
    for i, line in enumerate(LOREM * 3):
        out.append("54 %d moveto %s show" % (h - 160 - 16 * i, _ps_string(line)))
    swatch = (w - 108) / 7.0
    colours = ((1, 0, 0), (0, 0.6, 0), (0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 0), (0, 0, 0))
    for i, (r, g, b) in enumerate(colours):
        out.append("%g %g %g setrgbcolor %.1f 260 %.1f 60 rectfill" % (r, g, b, 54 + i * swatch, swatch - 6))
    step = (w - 108) / 11.0
    for i in range(11):
        out.append("%g setgray %.1f 180 %.1f 40 rectfill" % (i / 10.0, 54 + i * step, step))
    out.append("0 setgray /Helvetica findfont 9 scalefont setfont 54 40 moveto %s show"
               % _ps_string("quire sample %s, page %d" % (paper, page)))
    out.append("showpage")
    return "\n".join(out) + "\n"


def photo_page(gray):
    """color.jpg / gray.jpg: a landscape 'photo' filling a 4 x 6 in page
    (a sky gradient, a sun, hills), in colour or in grey only."""
    def c(r, g, b):
        if gray:
            return "%.3f setgray" % (0.299 * r + 0.587 * g + 0.114 * b)
        return "%.3f %.3f %.3f setrgbcolor" % (r, g, b)
    w, h = PHOTO
    if gray:
        shade = "/ColorSpace /DeviceGray /Function << /FunctionType 2 /Domain [0 1] /C0 [0.85] /C1 [0.35] /N 1 >>"
    else:
        shade = ("/ColorSpace /DeviceRGB /Function << /FunctionType 2 /Domain [0 1] "
                 "/C0 [1 0.6 0.2] /C1 [0.15 0.35 0.9] /N 1 >>")
    return "\n".join([
        "<< /PageSize [%d %d] >> setpagedevice" % (w, h),
        "<< /ShadingType 2 %s /Coords [0 0 0 %d] /Extend [true true] >> shfill" % (shade, h),
        c(1, 0.9, 0.25) + " 200 330 36 0 360 arc fill",
        c(0.2, 0.5, 0.15) + " 0 0 moveto 0 150 lineto 80 200 lineto 170 130 lineto %d 185 lineto %d 0 lineto"
        " closepath fill" % (w, w),
        c(0.1, 0.3, 0.1) + " 0 0 moveto 0 70 lineto 120 110 lineto %d 60 lineto %d 0 lineto closepath fill" % (w, w),
        c(0.55, 0.3, 0.1) + " 60 60 14 80 rectfill " + c(0.05, 0.45, 0.1) + " 67 160 30 0 360 arc fill",
        "showpage", ""])


def pages_of(name):
    """PostScript pages of a raster/PDF sample name like 'document-a4'."""
    if name.startswith("onepage-"):
        return [text_page(name[len("onepage-"):], "Quire one-page sample", 1, 1)]
    if name.startswith("document-"):
        paper = name[len("document-"):]
        return [text_page(paper, "Quire sample document", n, DOCUMENT_PAGES) for n in range(1, DOCUMENT_PAGES + 1)]
    if name in ("color.jpg-4x6", "gray.jpg-4x6"):
        return [photo_page(name.startswith("gray"))]
    raise ValueError("no such sample page: " + name)


def ps_document(pages, title):
    """A DSC-conforming PostScript document of `pages`."""
    out = ["%!PS-Adobe-3.0", "%%Title: " + title, "%%Creator: quire tests/integration/samples.py",
           "%%Pages: %d" % len(pages), "%%EndComments"]
    for i, p in enumerate(pages, 1):
        out += ["%%%%Page: %d %d" % (i, i), p.rstrip("\n")]
    out += ["%%EOF", ""]
    return "\n".join(out)


# --- rendering ------------------------------------------------------------------


def _gs(args, cwd):
    # Own TMPDIR and working folder (STACK-NOTES: gs may read its temp dir).
    env = dict(os.environ, TMPDIR=cwd)
    p = subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER"] + args, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("gs %s failed (%d): %s" % (" ".join(args), p.returncode, p.stdout + p.stderr))


def _render(device, ps_text, out_path, work, extra=()):
    src = os.path.join(work, os.path.basename(out_path) + ".ps")
    with open(src, "w") as f:
        f.write(ps_text)
    _gs(["-sDEVICE=" + device] + list(extra) + ["-sOutputFile=" + out_path, src], work)


PWG_HEADER = 1796


def _pwg_page_info(data, at):
    """(resolution, width, height, bits per colour, colour space) of the page
    header at `at`."""
    h = data[at:at + PWG_HEADER]
    if len(h) < PWG_HEADER or not h.startswith(b"PwgRaster\0"):
        raise RuntimeError("not a PWG raster page header")
    xres, yres = struct.unpack(">II", h[276:284])
    width, height = struct.unpack(">II", h[372:380])
    bpc = struct.unpack(">I", h[384:388])[0]
    cspace = struct.unpack(">I", h[400:404])[0]
    return xres, yres, width, height, bpc, cspace


def _render_raster(res, kind, out_dir, work):
    """One gs run renders every page one resolution and colour type needs, a
    file per page (-dMaxBitmap=0: with full-page buffers, gs 10.0 dropped a
    page after a page-size change); the pages are then joined into the
    sample files, checking each page's header."""
    cspace, bits = RASTER_TYPES[kind]
    names = RASTER_PAGES[kind]
    pages, owners = [], []
    for name in names:
        for p in pages_of(name):
            pages.append(p)
            owners.append(name)
    tag = "%s-%d" % (kind, res)
    tmp = os.path.join(work, tag)
    os.mkdir(tmp)
    _render("pwgraster", "".join(pages), os.path.join(tmp, "p%03d.pwg"), tmp,
            ["-r%d" % res, "-dMaxBitmap=0", "-dcupsColorSpace=%d" % cspace, "-dcupsBitsPerColor=%d" % bits])
    files = sorted(glob.glob(os.path.join(tmp, "p*.pwg")))
    if len(files) != len(pages):
        raise RuntimeError("%s: gs wrote %d pages, expected %d" % (tag, len(files), len(pages)))
    folder = os.path.join(out_dir, "pwg-raster-samples-%ddpi" % res, kind)
    os.makedirs(folder, exist_ok=True)
    joined = {}
    for path, name in zip(files, owners):
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"RaS2"):  # only the first page file carries the sync word
            data = data[4:]
        info = _pwg_page_info(data, 0)
        if info[0] != res or info[1] != res or info[4] != bits or info[5] != cspace or not info[2] or not info[3]:
            raise RuntimeError("%s: page of %s has header %r" % (tag, name, info))
        joined.setdefault(name, [b"RaS2"]).append(data)
    for name, parts in joined.items():
        with open(os.path.join(folder, "%s-%s-%ddpi.pwg" % (name, kind, res)), "wb") as f:
            f.write(b"".join(parts))


def referenced_files(ipptool_dir=IPPTOOL_DIR, suites=SUITES):
    """Every FILE the suites (and the files they include) name, except $filename."""
    seen, todo, names = set(), list(suites), set()
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        try:
            with open(os.path.join(ipptool_dir, t)) as f:
                text = f.read()
        except OSError:
            continue
        todo += re.findall(r'^\s*INCLUDE\s+"([^"]+)"', text, re.M)
        names.update(n for n in re.findall(r"^\s*FILE\s+(\S+)", text, re.M) if not n.startswith("$"))
    return sorted(names)


def make_samples(folder, resolutions=RESOLUTIONS, jobs=None):
    """Writes every sample document the four stock suites name into `folder`
    (created if needed) and returns `folder`. `resolutions` limits the PWG
    raster samples (the suites skip a raster test whose file is missing)."""
    os.makedirs(folder, exist_ok=True)
    work = tempfile.mkdtemp(prefix="quire-samples-")
    try:
        tasks = []
        for paper in PAPERS:
            pages = pages_of("document-" + paper)
            ps = ps_document(pages, "Quire sample document (%s)" % paper)
            with open(os.path.join(folder, "document-%s.ps" % paper), "w") as f:
                f.write(ps)
            tasks.append(("pdfwrite", ps, os.path.join(folder, "document-%s.pdf" % paper), work, ()))
        # 100 dpi on 4 x 6 in: 400 x 600 pixels.
        tasks.append(("jpeg", ps_document(pages_of("color.jpg-4x6"), "color.jpg"), os.path.join(folder, "color.jpg"),
                      work, ("-r100", "-dJPEGQ=85")))
        tasks.append(("jpeggray", ps_document(pages_of("gray.jpg-4x6"), "gray.jpg"), os.path.join(folder, "gray.jpg"),
                      work, ("-r100", "-dJPEGQ=85")))
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
            futures = [pool.submit(_render, *t) for t in tasks]
            futures += [pool.submit(_render_raster, res, kind, folder, work)
                        for res in resolutions for kind in RASTER_TYPES]
            for fut in futures:
                fut.result()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: python3 samples.py DIR", file=sys.stderr)
        return 2
    folder = make_samples(argv[1])
    missing = [n for n in referenced_files() if not os.path.exists(os.path.join(folder, n))]
    for n in missing:
        print("samples.py: not generated: " + n, file=sys.stderr)
    print(folder)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
