// Builds the dashboard into OUT (argument 1, default dist/): hashed, minified assets/app-*.js and
// app-*.css, and index.html naming them. The server embeds that directory at build time.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join, resolve } from 'node:path';

const out = resolve(process.argv[2] || 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: 'src/main.jsx', style: 'src/style.css' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
const js = files.find((f) => f.startsWith('app-') && f.endsWith('.js'));
const css = files.find((f) => f.startsWith('style-') && f.endsWith('.css'));
// No inline script or style: the Content-Security-Policy allows only 'self'.
writeFileSync(join(out, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Colonies dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Colonies dashboard needs JavaScript.</noscript>
</body>
</html>
`);
// Precompressed copies, served to browsers that accept gzip (most of the first load's bytes).
for (const f of readdirSync(join(out, 'assets')).map((n) => join('assets', n)).concat(['index.html'])) {
  const path = join(out, f);
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
}
console.log(`dashboard built into ${out}: ${js}, ${css}`);
