// Sharp side of `Stox.Benchmarks imaging`: one scenario per run, one JSON line on stdout.
//   legacy: the earlier multi-resolution system, one Sharp pipeline per size and format from the buffer, in turn
//   best:   Sharp's documented best, one input clone per size and format, all in parallel
//   decode: decode-only floor (full decode to raw pixels)
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const mode = args.mode ?? 'best';
const concurrency = Number(args.concurrency ?? 1);
const passes = Number(args.passes ?? 2);
const corpus = args.corpus ?? '/usr/share/backgrounds';

sharp.cache(false); // as our engine: no operation cache

// Each job reads its file, as the processing service reads each original from storage.
const files = readdirSync(corpus).filter(f => f.toLowerCase().endsWith('.jpg')).sort().map(f => join(corpus, f));
const sizes = [
  { name: 'thumbnail', resize: { width: 150, height: 150, fit: 'cover', position: sharp.strategy.attention, withoutEnlargement: true } },
  { name: 'small', resize: { width: 480, height: 480, fit: 'inside', withoutEnlargement: true } },
  { name: 'medium', resize: { width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true } },
  { name: 'large', resize: { width: 1920, height: 1920, fit: 'inside', withoutEnlargement: true } },
  { name: 'original', resize: null },
];
const encoders = [
  p => p.jpeg({ quality: 82, progressive: true, optimiseCoding: true }),
  p => p.webp({ quality: 80, effort: 4 }),
];

function pipeline(base, size, encode) {
  let p = base.rotate();
  if (size.resize) p = p.resize(size.resize);
  return encode(p).toBuffer();
}

async function legacy(buffer) {
  for (const size of sizes) {
    for (const encode of encoders) {
      await pipeline(sharp(buffer, { failOn: 'warning' }), size, encode);
    }
  }
}

async function best(buffer) {
  const input = sharp(buffer, { failOn: 'warning' });
  await Promise.all(sizes.flatMap(size => encoders.map(encode => pipeline(input.clone(), size, encode))));
}

async function decode(buffer) {
  await sharp(buffer, { failOn: 'warning' }).raw().toBuffer();
}

const job = { legacy, best, decode }[mode];
if (!job) throw new Error(`unknown mode ${mode}`);

async function run(passCount) {
  const queue = [];
  for (let i = 0; i < passCount; i++) queue.push(...files);
  const latencies = [];
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const t = process.hrtime.bigint();
      await job(await readFile(next));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies };
}

await job(await readFile(files[0])); // warm-up on one image
const { seconds, latencies } = await run(passes);
console.log(JSON.stringify({
  ImagesPerSecond: latencies.length / seconds,
  Latencies: latencies,
  // maxRSS covers the whole run (warm-up included); Linux cannot reset it from node.
  PeakRssMb: process.resourceUsage().maxRSS / 1024,
  Vips: sharp.versions.vips,
}));
