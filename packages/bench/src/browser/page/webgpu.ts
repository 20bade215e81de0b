// The browser's WebGPU adapter, as the page's engines report it among a row's facts.

type Gpu = { requestAdapter(): Promise<{ info: Record<string, unknown> } | null> };

/** A WebGPU adapter in words; `software` when it is a CPU implementation (SwiftShader, the fallback adapter). */
export function adapterFacts(info: Record<string, unknown>): Record<string, string | boolean> {
  const words = ['vendor', 'architecture', 'device', 'description'].map((k) => String(info[k] ?? '')).filter(Boolean);
  const adapter = words.join(' ') || 'unknown';
  return { adapter, software: info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(adapter) };
}

/** The page's WebGPU adapter in words (adapterFacts); without WebGPU or an adapter, an error that says which. */
export async function webGpuAdapterFacts(): Promise<Record<string, string | boolean>> {
  if (!('gpu' in navigator)) throw new Error('no navigator.gpu in this browser (WebGPU disabled)');
  const adapter = await (navigator as unknown as { gpu: Gpu }).gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  return adapterFacts(adapter.info);
}
