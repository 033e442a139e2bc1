/**
 * A contact sheet of a model's age prototypes, to look at what the texture layer works
 * from: per age category (columns) the mean shape-normalised face, then the detail
 * amplitude of each band (rows, finest first), each band scaled to its largest value.
 *
 *   npx tsx scripts/prototype-sheet.ts [--model models/reage-utkface-64] --out sheet.png
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { loadPrototypes } from '../src/main/engine/prototypes.js';
import { expand } from '../src/main/engine/pyramid.js';
import { REPO_ROOT } from '../src/main/eval/data.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(REPO_ROOT, 'models', 'reage-utkface-64') },
    out: { type: 'string' },
  },
});
if (!args.out) throw new Error('--out FILE.png is required');
const protos = await loadPrototypes(resolve(args.model));
const { size, levels } = protos;
const cols = protos.mean.length;
const rows = 1 + levels;
const sheet = new Uint8Array(cols * size * rows * size * 3);
const put = (col: number, row: number, rgb: Float32Array) => {
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let k = 0; k < 3; k++) {
        const v = rgb[(y * size + x) * 3 + k]!;
        sheet[((row * size + y) * cols * size + col * size + x) * 3 + k] = Math.round(
          255 * Math.min(1, Math.max(0, v)),
        );
      }
};
for (let b = 0; b < levels; b++) {
  const peak = protos.amplitude.reduce((m, a) => a[b]!.data.reduce((p, v) => Math.max(p, v), m), 0);
  protos.amplitude.forEach((a, c) => {
    const up = expand(a[b]!, size, size).data;
    put(
      c,
      b + 1,
      Float32Array.from({ length: size * size * 3 }, (_, i) => up[Math.floor(i / 3)]! / peak),
    );
  });
}
protos.mean.forEach((m, c) => put(c, 0, m.data));
await sharp(sheet, { raw: { width: cols * size, height: rows * size, channels: 3 } })
  .png()
  .toFile(resolve(args.out));
console.log(`wrote ${args.out}: columns ${protos.meta.categories.join(', ')}; rows mean, then bands 0-${levels - 1}`);
