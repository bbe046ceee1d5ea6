// Search spaces: build one from its workflow config.

import type { SpaceConfig } from '../core/workflow.js';
import type { SearchSpace } from '../core/space.js';
import { CellSpace } from './cell.js';
import { ChainSpace } from './chain.js';

export function createSpace(config: SpaceConfig): SearchSpace {
  switch (config.kind) {
    case 'cell':
      return new CellSpace(config);
    case 'chain':
      return new ChainSpace(config);
    default:
      throw new Error(`unknown space kind "${(config as { kind?: unknown }).kind}" (expected cell or chain)`);
  }
}

export type { ChoicePriors, Decision, SearchSpace } from '../core/space.js';
export { CellSpace, NB201, NB201_OPS, cellEdges, cellKey, parseCellKey } from './cell.js';
export type { CellArch, CellEdge } from './cell.js';
export { ChainSpace, chainKey } from './chain.js';
export type { ChainArch, ChainLayer } from './chain.js';
export { TreeSpace } from './base.js';
export * from './tree.js';
