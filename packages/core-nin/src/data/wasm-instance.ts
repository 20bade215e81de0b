/**
 * One instance of a wasm decoder per isolate, made from the compiled module it was last handed and reused by every
 * picture after it. A failed start is forgotten (the next call tries again), and so is an instance `forget` is
 * called for (e.g. one a decoder error may have left in a bad state).
 */
export function oneInstancePerModule<T>(start: (module: WebAssembly.Module) => Promise<T>): {
  get(module: WebAssembly.Module): Promise<T>;
  forget(module: WebAssembly.Module): void;
} {
  let current: { module: WebAssembly.Module; instance: Promise<T> } | undefined;
  return {
    get(module) {
      if (current?.module !== module) {
        const instance = start(module);
        current = { module, instance };
        instance.catch(() => {
          if (current?.instance === instance) current = undefined;
        });
      }
      return current.instance;
    },
    forget(module) {
      if (current?.module === module) current = undefined;
    },
  };
}
