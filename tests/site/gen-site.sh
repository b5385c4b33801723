#!/bin/sh
# gen-site.sh DIR: write a small Hugo-like static site into DIR (made if
# missing), the tree a VPS serves from hugo's public/: pages as
# dir/index.html, a page as about.html (for try_html), fingerprinted assets
# with precompressed siblings, an image, 404.html, tags/, a sitemap, and
# a downloads/ folder without an index (for a listing), and a stray .git/
# a careless deploy leaves behind.
#
# Deterministic: the same bytes on every run and every file's mtime
# 2026-01-15 09:00:00 UTC (the .gz and .br siblings too, so none is older
# than its file). POSIX sh and POSIX tools, no network. The .br siblings
# are written only when the brotli command exists (Debian package
# "brotli"); without it a note goes to stderr and the tree has no .br.
#
# The pages have a dark blue background (#1e4d8c, from the stylesheet)
# and show the image, 8x8 pixels of #e03020 over #20a040, at 160x160:
# a browser test can find those colours in a screenshot.
set -eu
umask 022

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: gen-site.sh DIR" >&2
	exit 2
fi
mkdir -p "$1"
cd "$1"
mkdir -p assets images blog/2026/hello tags/hugo downloads/old .git

# page FILE TITLE: a whole HTML page whose body is stdin.
page() {
	{
		printf '<!doctype html>\n<html lang="en">\n<head>\n'
		printf '<meta charset="utf-8">\n'
		printf '<title>%s</title>\n' "$2"
		printf '<link rel="stylesheet" href="/assets/main.3f2a1b.css">\n'
		printf '<script defer src="/assets/app.9c8d7e.js"></script>\n'
		printf '</head>\n<body>\n'
		printf '<nav><a href="/">Home</a> <a href="/blog/">Blog</a> '
		printf '<a href="/tags/">Tags</a> <a href="/about">About</a></nav>\n'
		cat
		printf '</body>\n</html>\n'
	} >"$1"
}

page index.html "Tine Test Blog" <<'HTML'
<h1>Tine Test Blog</h1>
<p><img src="/images/logo.png" alt="logo" width="160" height="160"></p>
<p id="js">app.js did not run</p>
<ul><li><a href="/blog/2026/hello/">Hello, world</a></li></ul>
HTML

page about.html "About | Tine Test Blog" <<'HTML'
<h1>About</h1>
<p>A blog made by a script, served by tine.</p>
HTML

page blog/index.html "Blog | Tine Test Blog" <<'HTML'
<h1>Blog</h1>
<ul><li><a href="/blog/2026/hello/">Hello, world</a> (2026-01-15)</li></ul>
HTML

page blog/2026/hello/index.html "Hello, world | Tine Test Blog" <<'HTML'
<article>
<h1>Hello, world</h1>
<p>The first post. Tagged <a href="/tags/hugo/">hugo</a>.</p>
<p><img src="/images/logo.png" alt="logo" width="80" height="80"></p>
</article>
HTML

page tags/index.html "Tags | Tine Test Blog" <<'HTML'
<h1>Tags</h1>
<ul><li><a href="/tags/hugo/">hugo</a> (1)</li></ul>
HTML

page tags/hugo/index.html "hugo | Tine Test Blog" <<'HTML'
<h1>Posts tagged hugo</h1>
<ul><li><a href="/blog/2026/hello/">Hello, world</a></li></ul>
HTML

page 404.html "Page not found | Tine Test Blog" <<'HTML'
<h1>404: page not found</h1>
<p>Try the <a href="/">home page</a>.</p>
HTML

cat >assets/main.3f2a1b.css <<'CSS'
/* main.css, fingerprinted as Hugo Pipes would name it */
html { background: #1e4d8c; }
body {
	margin: 0;
	padding: 24px;
	background: #1e4d8c;
	color: #f4f4f4;
	font: 16px/1.5 sans-serif;
}
a { color: #ffd166; }
nav a { margin-right: 12px; }
img { image-rendering: pixelated; display: block; }
h1 { font-size: 28px; margin: 12px 0; }
article { max-width: 640px; }
CSS

cat >assets/app.9c8d7e.js <<'JS'
/* app.js, fingerprinted: marks the page so a test sees that it ran. */
document.addEventListener("DOMContentLoaded", function () {
	var p = document.getElementById("js");
	if (p !== null)
		p.textContent = "app.js ran";
});
JS

# The image: a real PNG (8x8 RGB, no gamma or colour profile chunk, so
# shown as sRGB as is), its 81 bytes as octal escapes.
{
	printf '\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122'
	printf '\000\000\000\010\000\000\000\010\010\002\000\000\000\113\155\051'
	printf '\334\000\000\000\030\111\104\101\124\170\332\143\170\140\240\200'
	printf '\025\061\120\121\102\141\201\003\126\104\105\011\000\232\154\106'
	printf '\001\241\157\121\211\000\000\000\000\111\105\116\104\256\102\140'
	printf '\202'
} >images/logo.png

cat >sitemap.xml <<'XML'
<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://site.test/</loc><lastmod>2026-01-15T09:00:00+00:00</lastmod></url>
  <url><loc>https://site.test/about</loc></url>
  <url><loc>https://site.test/blog/</loc></url>
  <url><loc>https://site.test/blog/2026/hello/</loc><lastmod>2026-01-15T09:00:00+00:00</lastmod></url>
  <url><loc>https://site.test/tags/</loc></url>
  <url><loc>https://site.test/tags/hugo/</loc></url>
</urlset>
XML

printf 'User-agent: *\nSitemap: https://site.test/sitemap.xml\n' >robots.txt

# Files put beside the site, to be listed: no index.html here.
printf 'Release 1.0 of the example tool.\n' >downloads/release-1.0.txt
printf 'Release 0.9, kept for old links.\n' >downloads/old/release-0.9.txt
printf 'Deny from all\n' >downloads/.htaccess

# What a deploy by rsync of the whole repository leaves: never to be served.
printf '[remote "origin"]\n\turl = https://deploy:s3cret@git.example/blog\n' \
    >.git/config

# Precompressed siblings, as a deploy step writes them: -n leaves out the
# name and time, so the bytes are the same on every run.
for f in assets/main.3f2a1b.css assets/app.9c8d7e.js; do
	gzip -9 -n -c "$f" >"$f.gz"
	if command -v brotli >/dev/null 2>&1; then
		brotli -q 11 -c "$f" >"$f.br"
	fi
done
command -v brotli >/dev/null 2>&1 ||
	echo "gen-site.sh: no brotli command (Debian package brotli): no .br files" >&2

# One fixed time for every file and directory.
find . -exec env TZ=UTC0 touch -t 202601150900.00 {} +
