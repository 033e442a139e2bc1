// The build's copy step: tsc emits only JavaScript, so the Python the engine
// spawns (src/main/node/oiio-service.py, the OpenImageIO service) is copied beside
// its compiled client in dist/, where oiio-service.js looks for it.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'main', 'node');
const to = join(root, 'dist', 'main', 'node');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => n.endsWith('.py'))) {
  copyFileSync(join(from, name), join(to, name));
  process.stdout.write(`copied src/main/node/${name} -> dist/main/node/${name}\n`);
}
