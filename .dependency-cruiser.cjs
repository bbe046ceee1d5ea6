// The layers of the code, bottom to top: a module may import from its own layer and from layers
// below it, never from a layer above or beside it, and no import cycle is allowed anywhere.
// `npm test` runs this (npm run check:layers); test/layers.test.ts shows that it fails on a planted
// upward import. The picture is in docs/ARCHITECTURE.md.
const LAYERS = [
  ['engine/core'],
  ['engine/space', 'engine/store'],
  ['strategies', 'engine/training'],
  ['engine/evaluation'],
  ['engine/workflow'],
  ['engine/meta'],
  ['engine/search'],
  ['engine/report'],
  ['engine/cli'],
];

const forbidden = [
  {
    name: 'no-cycle',
    severity: 'error',
    comment: 'modules must not depend on each other in a cycle',
    from: {},
    to: { circular: true },
  },
];
LAYERS.forEach((layer, level) => {
  for (const from of layer) {
    const notBelow = LAYERS.slice(level)
      .flat()
      .filter((to) => to !== from);
    forbidden.push({
      name: `layer:${from}`,
      severity: 'error',
      comment: `${from} may import only from its own folder and the layers below it`,
      from: { path: `^${from}/` },
      to: { path: `^(${notBelow.join('|')})/` },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
