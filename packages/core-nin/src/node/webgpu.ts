import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type BackendProvider } from '../backends/registry.ts';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/**
 * tfjs-backend-webgpu on Dawn (the `webgpu` package's dawn.node), which reaches the GPU through Vulkan. On a
 * machine without a GPU, Mesa's lavapipe (a software Vulkan driver, Mesa >= 25) gives an adapter too; the
 * adapter is reported so a software one is never mistaken for a GPU.
 */
export const webgpuBackend: BackendProvider = {
  name: 'webgpu',
  variants: [],
  async activate() {
    let gpu: GPU;
    try {
      const dawn = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
      Object.assign(globalThis, dawn.globals);
      gpu = dawn.create([]);
    } catch (e) {
      throw new BackendUnavailableError('webgpu', `Dawn (webgpu package) failed to load: ${(e as Error).message.split('\n')[0]}`);
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new BackendUnavailableError('webgpu', 'no WebGPU adapter: Dawn found no Vulkan device (install a Vulkan driver, e.g. Mesa 25 lavapipe)');
    const info = ((adapter as unknown as { info?: AdapterInfo }).info ?? {}) as AdapterInfo;
    // tfjs-backend-webgpu asks navigator.gpu for its adapter; Node 20 has no navigator.
    Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError('webgpu', 'tfjs-backend-webgpu failed to initialise on the adapter');
    const software = /llvmpipe|lavapipe|swiftshader/i.test(`${info.description} ${info.device} ${info.architecture}`);
    return {
      name: 'webgpu',
      tfjsBackend: tf.getBackend(),
      details: {
        adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown',
        software,
      },
    };
  },
};
