import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/**
 * Conv2DBackpropFilter (the weight gradient of a convolution) for tfjs-backend-webgpu, computed with the backend's
 * tiled matrix product instead of its stock shader.
 *
 * Why: the stock `Conv2DDerFilterProgram` gives one GPU thread per filter element, and that thread loops over the
 * whole batch and every output position, serially. NiN's 1x1 convolutions and its first 11x11 one have only ~10k
 * filter elements, each summing over 128 x 54 x 54 positions: a few thousand threads on a GPU that wants hundreds
 * of thousands. Written as matrix products the same sums become
 *
 *   dW[kh, kw, ci, co] = sum over (n, oh, ow) of x[n, oh*s + kh - pad, ow*s + kw - pad, ci] * dy[n, oh, ow, co]
 *                      = (patches of x for tap kh,kw)^T @ dy,  with the (n, oh, ow) positions as the inner dimension,
 *
 * which the backend runs as its 32x32-tiled matmul; the inner dimension is split by image into a batch of
 * products (summed afterwards) so that enough workgroups exist. Only the summation order changes.
 */

export interface ConvFilterGradTuning {
  /** Largest gathered-patch buffer (float32 elements) built at once; default 32 Mi elements = 128 MiB, Dawn's default binding limit. */
  readonly maxPatchElements: number;
  /** Enough 32x32 output tiles to occupy a large GPU (132 SMs on an H100); the split by image stops there. */
  readonly targetWorkgroups: number;
}

export const DEFAULT_CONV_FILTER_GRAD_TUNING: ConvFilterGradTuning = {
  maxPatchElements: 32 * 1024 * 1024,
  targetWorkgroups: 2048,
};
let tuning = DEFAULT_CONV_FILTER_GRAD_TUNING;

export type ConvFilterGradImpl = 'matmul' | 'tfjs';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

type Backend = { disposeData(dataId: object): void };

let stockKernel: KernelFunc | null = null;
let active: ConvFilterGradImpl = 'tfjs';

function run(name: string, inputs: NamedTensorInfoMap, backend: Backend, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, 'webgpu');
  if (!k) throw new Error(`tfjs-backend-webgpu has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

/** The largest power-of-two divisor of `n` that is at most `limit` (at least 1). */
function splitCount(n: number, limit: number): number {
  let b = 1;
  while (b * 2 <= limit && n % (b * 2) === 0) b *= 2;
  return b;
}

function conv2DBackpropFilterByMatMul(args: {
  inputs: NamedTensorInfoMap;
  backend: Backend;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const dataFormat = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  if (dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    return stockKernel!(args as never) as TensorInfo;
  }
  const {
    batchSize: n,
    outHeight: oh,
    outWidth: ow,
    inChannels: ci,
    outChannels: co,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const padded =
      top || bottom || left || right
        ? keep(
            run('PadV2', { x }, backend, {
              paddings: [
                [0, 0],
                [top, bottom],
                [left, right],
                [0, 0],
              ],
              constantValue: 0,
            }),
          )
        : x;
    const positions = oh * ow;
    const taps: [number, number][] = [];
    for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) taps.push([r, c]);
    const tapsPerGroup = Math.max(1, Math.min(taps.length, Math.floor(tuning.maxPatchElements / (n * positions * ci))));
    const groups: TensorInfo[] = [];
    for (let g = 0; g < taps.length; g += tapsPerGroup) {
      const group = taps.slice(g, g + tapsPerGroup);
      // Gather this group's taps as channels: [n, oh, ow, taps*ci], tap-major as HWIO wants.
      const slices = group.map(([r, c]) =>
        kh === 1 && kw === 1 && sh === 1 && sw === 1 && padded === x
          ? x
          : keep(
              run('StridedSlice', { x: padded }, backend, {
                begin: [0, r, c, 0],
                end: [n, r + sh * (oh - 1) + 1, c + sw * (ow - 1) + 1, ci],
                strides: [1, sh, sw, 1],
                beginMask: 0,
                endMask: 0,
                ellipsisMask: 0,
                newAxisMask: 0,
                shrinkAxisMask: 0,
              }),
            ),
      );
      const patches =
        slices.length === 1
          ? slices[0]!
          : keep(run('Concat', slices as unknown as NamedTensorInfoMap, backend, { axis: 3 }));
      const m = group.length * ci;
      // Split the (n, oh, ow) sum by image into `split` products until there are enough 32x32 tiles.
      const tiles = Math.ceil(m / 32) * Math.ceil(co / 32);
      const split = splitCount(n, Math.max(1, Math.floor(tuning.targetWorkgroups / tiles)));
      const inner = (n / split) * positions;
      const a = keep(run('Reshape', { x: patches }, backend, { shape: [split, inner, m] }));
      const b = keep(run('Reshape', { x: dy }, backend, { shape: [split, inner, co] }));
      const partial = keep(run('BatchMatMul', { a, b }, backend, { transposeA: true, transposeB: false }));
      groups.push(split === 1 ? partial : keep(run('Sum', { x: partial }, backend, { axis: [0], keepDims: true })));
    }
    const all =
      groups.length === 1
        ? groups[0]!
        : keep(run('Concat', groups as unknown as NamedTensorInfoMap, backend, { axis: 1 }));
    return run('Reshape', { x: all }, backend, { shape: [kh, kw, ci, co] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * Chooses the webgpu backend's Conv2DBackpropFilter: `matmul` (this file) or `tfjs` (the stock shader). Call after
 * `@tensorflow/tfjs-backend-webgpu` is imported. Inference never uses this kernel; training does, once per conv.
 */
export function useWebgpuConvFilterGrad(impl: ConvFilterGradImpl, tune: Partial<ConvFilterGradTuning> = {}): void {
  tuning = { ...DEFAULT_CONV_FILTER_GRAD_TUNING, ...tune };
  const current = getKernel('Conv2DBackpropFilter', 'webgpu');
  if (!current) throw new Error('tfjs-backend-webgpu is not loaded: its Conv2DBackpropFilter kernel is missing');
  if (!stockKernel) stockKernel = current.kernelFunc;
  if (impl === active) return;
  const config: KernelConfig = {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'webgpu',
    kernelFunc: (impl === 'matmul' ? conv2DBackpropFilterByMatMul : stockKernel) as unknown as KernelFunc,
  };
  // registerKernel warns and replaces when the name is taken; unregister first to keep the log quiet.
  unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  registerKernel(config);
  active = impl;
}

export function webgpuConvFilterGrad(): ConvFilterGradImpl {
  return active;
}
