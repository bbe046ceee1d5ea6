// A generated ratings table of known low-rank structure: rating(user, item) = <p_user, q_item> + noise
// with rank-3 factors, observed for a random third of the user x item pairs. Written twice: with the
// ids as categorical columns, and with the ids one-hot encoded as numeric columns (the baseline).

import { writeFileSync } from 'node:fs';
import { lcg } from './random.js';

export interface RatingsFiles {
  ids: string;
  oneHot: string;
  rows: number;
}

export function writeRatings(
  dir: string,
  opts = { users: 60, items: 50, rank: 3, density: 0.35, seed: 11 },
): RatingsFiles {
  const r = lcg(opts.seed, -0.5);
  const gauss = () => (r() + r() + r() + r()) * 1.7; // ~N(0, 1)
  const p = Array.from({ length: opts.users }, () => Array.from({ length: opts.rank }, gauss));
  const q = Array.from({ length: opts.items }, () => Array.from({ length: opts.rank }, gauss));
  const ids = ['user,item,label'];
  const header = [
    ...Array.from({ length: opts.users }, (_, u) => `u${u}`),
    ...Array.from({ length: opts.items }, (_, i) => `i${i}`),
    'label',
  ];
  const oneHot = [header.join(',')];
  for (let u = 0; u < opts.users; u++) {
    for (let i = 0; i < opts.items; i++) {
      if (r() + 0.5 >= opts.density) continue;
      const rating = p[u].reduce((s, v, k) => s + v * q[i][k], 0) + 0.1 * gauss();
      const y = rating.toFixed(4);
      ids.push(`user${u},item${i},${y}`);
      const row = new Array<number>(opts.users + opts.items).fill(0);
      row[u] = 1;
      row[opts.users + i] = 1;
      oneHot.push(`${row.join(',')},${y}`);
    }
  }
  const files = { ids: `${dir}/ratings-ids.csv`, oneHot: `${dir}/ratings-onehot.csv`, rows: ids.length - 1 };
  writeFileSync(files.ids, ids.join('\n') + '\n');
  writeFileSync(files.oneHot, oneHot.join('\n') + '\n');
  return files;
}
