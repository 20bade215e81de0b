import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type BackendProvider } from '../backends/registry.ts';
import { useWebgpuConvFilterGrad, webgpuConvFilterGrad, type ConvFilterGradImpl } from './webgpu-conv-filter-grad.ts';

export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

export function adapterName(info: AdapterInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown';
}

/** Mesa's lavapipe (llvmpipe) or SwiftShader: WebGPU without a GPU. */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return /llvmpipe|lavapipe|swiftshader/i.test(`${info.description} ${info.device} ${info.architecture}`);
}

/** Dawn and tfjs-backend-webgpu are brought up once per process; later activations only switch back to it. */
let initialised: Promise<Record<string, string | number | boolean>> | null = null;

async function initialise(): Promise<Record<string, string | number | boolean>> {
  let gpu: GPU;
  try {
    const dawn = (await import('webgpu')) as unknown as {
      create: (flags: string[]) => GPU;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
  } catch (e) {
    throw new BackendUnavailableError(
      'webgpu',
      `Dawn (webgpu package) failed to load: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const icd = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    throw new BackendUnavailableError(
      'webgpu',
      `no WebGPU adapter: Dawn found no Vulkan device${icd ? ` (Vulkan driver files: ${icd})` : ''}; ` +
        'install a Vulkan driver, e.g. Mesa 25 lavapipe (packages/core-nin/scripts/install-lavapipe.sh)',
    );
  }
  const info = ((adapter as unknown as { info?: AdapterInfo }).info ?? {}) as AdapterInfo;
  // tfjs-backend-webgpu asks navigator.gpu for its adapter; Node 20 has no navigator.
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu')))
    throw new BackendUnavailableError('webgpu', 'tfjs-backend-webgpu failed to initialise on the adapter');
  // The weight gradient by tiled matmul unless NIN_WEBGPU_CONV_FILTER_GRAD=tfjs asks for the stock shader (to compare).
  const convFilterGrad: ConvFilterGradImpl = process.env.NIN_WEBGPU_CONV_FILTER_GRAD === 'tfjs' ? 'tfjs' : 'matmul';
  useWebgpuConvFilterGrad(convFilterGrad);
  // The largest buffer one shader may bind: a batch whose largest activation exceeds it must be split (lavapipe: 128 MiB).
  const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
  return {
    adapter: adapterName(info),
    maxStorageBufferBindingSize: device?.limits?.maxStorageBufferBindingSize ?? 0,
    software: isSoftwareAdapter(info),
    convFilterGrad,
  };
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
    initialised ??= initialise().catch((e: unknown) => {
      initialised = null;
      throw e;
    });
    const details = await initialised;
    if (!(await tf.setBackend('webgpu')))
      throw new BackendUnavailableError('webgpu', 'tfjs-backend-webgpu failed to initialise on the adapter');
    return {
      name: 'webgpu',
      tfjsBackend: tf.getBackend(),
      details: { ...details, convFilterGrad: webgpuConvFilterGrad() },
    };
  },
};
