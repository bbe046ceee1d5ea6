// The few WebAssembly JS API declarations the kernels use: tsconfig's lib (ES2022) has none
// (they live in lib.dom), and @types/node does not declare them.
declare namespace WebAssembly {
  interface ModuleImportDescriptor {
    module: string;
    name: string;
    kind: string;
  }
  class Module {
    constructor(bytes: Uint8Array | ArrayBuffer);
    static imports(module: Module): ModuleImportDescriptor[];
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
