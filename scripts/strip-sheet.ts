/**
 * A contact sheet of the face strips `reage eval --save-faces DIR` wrote: one row per
 * face (labelled with the real age from its UTKFace name), a header naming the columns
 * (real crop, the three reconstructions, the six target ages), tiles enlarged so a
 * person can judge them.
 *
 *   npx tsx scripts/strip-sheet.ts DIR --out sheet.png [--from 0] [--rows 12] [--scale 3]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { writeFileAtomic } from '../src/main/node/atomic.js';
import { STRIP_COLUMNS } from '../src/main/eval/face-strip.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    from: { type: 'string', default: '0' },
    rows: { type: 'string', default: '12' },
    scale: { type: 'string', default: '3' },
    size: { type: 'string', default: '64' },
  },
});
const dir = positionals[0];
if (!dir || !values.out)
  throw new Error('usage: strip-sheet.ts DIR --out sheet.png [--from 0] [--rows 12] [--scale 3]');
const size = Number(values.size);
const tile = size * Number(values.scale);
const label = 70;
const header = 24;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(Number(values.from), Number(values.from) + Number(values.rows));
if (!files.length) throw new Error(`no strips in ${dir}`);

const width = label + STRIP_COLUMNS.length * tile;
const height = header + files.length * tile;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = [
  ...STRIP_COLUMNS.map(
    (c, i) => `<text x="${label + i * tile + tile / 2}" y="17" text-anchor="middle">${esc(c)}</text>`,
  ),
  ...files.map((f, r) => {
    const [age, gender] = f.split('_');
    return `<text x="6" y="${header + r * tile + tile / 2 + 5}">${esc(`${age} ${gender === '0' ? 'm' : 'f'}`)}</text>`;
  }),
].join('');
const svg = `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="white"/><g font-family="sans-serif" font-size="15">${text}</g></svg>`;

const rows = await Promise.all(
  files.map(async (f, r) => ({
    input: await sharp(join(dir, f))
      .resize(STRIP_COLUMNS.length * tile, tile, { kernel: 'nearest' })
      .toBuffer(),
    left: label,
    top: header + r * tile,
  })),
);
const png = await sharp(Buffer.from(svg)).composite(rows).png().toBuffer();
await writeFileAtomic(values.out, png);
console.log(`${files.length} faces → ${values.out} (${width}×${height})`);
