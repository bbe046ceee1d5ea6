// YAML for people to read and edit: block mappings, lists of scalars on one line ([16, 32]).

import { Document, isScalar, visit } from 'yaml';

export function readableYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
    Map(_, node) {
      if (node.items.length === 0) node.flow = true;
    },
  });
  return doc.toString();
}
