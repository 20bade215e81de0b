/**
 * Watches every WebAssembly memory created in this process, whoever creates it: tfjs-backend-wasm exports its
 * memory from the instance, onnxruntime-web's threaded build creates a shared `WebAssembly.Memory` and imports
 * it. Engines do not expose their heap uniformly, so the child wraps the two entry points before any engine
 * loads. Memories only grow, so the size at the end is the peak.
 */
const memories = new Set<WebAssembly.Memory>();

function collect(instance: WebAssembly.Instance | undefined): void {
  if (!instance) return;
  for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memories.add(value);
}

let installed = false;

export function installWasmMemoryProbe(): void {
  if (installed) return;
  installed = true;
  const OriginalMemory = WebAssembly.Memory;
  const WatchedMemory = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
    const memory = new OriginalMemory(descriptor);
    memories.add(memory);
    return memory;
  } as unknown as typeof WebAssembly.Memory;
  WatchedMemory.prototype = OriginalMemory.prototype;
  (WebAssembly as { Memory: unknown }).Memory = WatchedMemory;

  const instantiate = WebAssembly.instantiate;
  (WebAssembly as { instantiate: unknown }).instantiate = async (source: unknown, imports?: WebAssembly.Imports) => {
    const result = await instantiate(source as BufferSource, imports);
    collect(
      result instanceof WebAssembly.Instance ? result : (result as WebAssembly.WebAssemblyInstantiatedSource).instance,
    );
    return result;
  };
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  if (instantiateStreaming) {
    (WebAssembly as { instantiateStreaming: unknown }).instantiateStreaming = async (
      source: Response | PromiseLike<Response>,
      imports?: WebAssembly.Imports,
    ) => {
      const result = await instantiateStreaming(source, imports);
      collect(result.instance);
      return result;
    };
  }
}

/** Bytes of all WebAssembly memories seen so far, or null when the engine created none. */
export function wasmHeapBytes(): number | null {
  if (memories.size === 0) return null;
  let total = 0;
  for (const m of memories) total += m.buffer.byteLength;
  return total;
}
