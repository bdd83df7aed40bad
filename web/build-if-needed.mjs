// Builds the dashboard (web/dist) when it is missing or older than its sources: `npm start` runs
// this first, so a fresh clone serves the dashboard with no extra step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('.', import.meta.url));
const built = join(web, 'dist', 'index.html');

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = Math.max(
  newest(join(web, 'src')),
  newest(join(web, 'index.html')),
  newest(join(web, 'vite.config.ts')),
);
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
console.error('Building the dashboard (web/dist)…');
const result = spawnSync(
  'npx',
  ['vite', 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
