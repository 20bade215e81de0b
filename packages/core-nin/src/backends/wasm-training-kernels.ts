import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels that training needs and tfjs-backend-wasm 4.22 lacks. Its convolution gradient w.r.t. the input
 * (`Conv2DBackpropInput`) exists, the one w.r.t. the filter (`Conv2DBackpropFilter`) does not, so `tf.grad` of
 * any convolution fails on wasm as shipped.
 *
 * The filter gradient is written on top of the one kernel the backend runs fast, the forward `Conv2D` (XNNPACK):
 * with the input's batch and channel axes swapped (`[Ci, H, W, N]`) and the output gradient as the filter
 * (`[OH, OW, N, Co]`), dilated by the forward stride, the output `[Ci, KH, KW, Co]` is the filter gradient
 * (transposed to HWIO). `Conv3DBackpropFilterV2` with depth 1 would also do, but it is a plain C loop, and so is
 * the backend's `BatchMatMul` (measured ~0.7 GMAC/s against XNNPACK's convolution at ~15), which is why even the
 * 1x1 convolutions, matrix products in disguise, go through `Conv2D` here.
 *
 * Kernels run inside other kernels here through the backend's own kernel functions, so nothing is recorded on
 * the gradient tape and every intermediate buffer is released before returning.
 */

export type FilterGradientStrategy = 'fast' | 'conv3d';

interface Info {
  readonly dataId: object;
  readonly shape: number[];
  readonly dtype: tf.DataType;
}

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

/** What tfjs hands a kernel function. */
interface KernelArgs {
  inputs: Record<string, Info>;
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
}

type KernelCall = (args: KernelArgs) => Info;

type Shape4 = [number, number, number, number];

function kernel(name: string): KernelCall {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-backend-wasm has no ${name} kernel, which the wasm training kernels build on`);
  return k.kernelFunc as unknown as KernelCall;
}

/** Runs kernels, releasing every intermediate output except the one returned. */
function chain(
  backend: WasmBackendLike,
  body: (call: (name: string, inputs: Record<string, Info>, attrs?: Record<string, unknown>) => Info) => Info,
): Info {
  const made: Info[] = [];
  const call = (name: string, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}) => {
    const out = kernel(name)({ inputs, backend, attrs });
    made.push(out);
    return out;
  };
  const result = body(call);
  for (const m of made) if (m !== result) backend.disposeData(m.dataId);
  return result;
}

/** The attributes tfjs gives both convolution gradient kernels. */
type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** The forward convolution a gradient kernel belongs to, from its attributes and its input's and filter's shapes. */
function forwardConvInfo(attrs: ConvAttrs, xShape: Shape4, filterShape: Shape4): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * Explicit NHWC padding of the forward input such that a 'valid' correlation with stride `s` yields at least
 * KH x KW outputs: the forward pass's own top/left padding, and at the bottom/right what the last output row
 * and column reached (more than the forward padding when the output size was rounded down).
 */
function coveringPadding(info: tf.backend_util.Conv2DInfo): [number, number][] {
  const {
    inHeight: h,
    inWidth: w,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    padInfo,
  } = info;
  const bottom = Math.max(0, kh + (oh - 1) * sh - h - padInfo.top);
  const right = Math.max(0, kw + (ow - 1) * sw - w - padInfo.left);
  return [
    [0, 0],
    [padInfo.top, bottom],
    [padInfo.left, right],
    [0, 0],
  ];
}

let strategy: FilterGradientStrategy = 'fast';

/**
 * `fast` (default): everything on XNNPACK's Conv2D. `conv3d`: the backend's own scalar kernels (Conv3DBackpropFilterV2
 * with depth 1 for stride-1 filter gradients, the stock Conv2DBackpropInput), to measure what the fast path buys.
 */
export function setWasmFilterGradientStrategy(s: FilterGradientStrategy): void {
  strategy = s;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const conv = attrs as ConvAttrs & { filterShape: Shape4 };
  const { dataFormat, filterShape } = conv;
  if (dataFormat !== undefined && dataFormat !== 'NHWC')
    throw new Error(`wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  const info = forwardConvInfo(conv, x.shape as Shape4, filterShape);
  const { batchSize: n, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;

  if (strategy === 'conv3d' && sh === 1 && sw === 1) {
    // The backend's own (scalar) 3-D kernel with depth 1, kept to measure against. Stride 1 only: with a stride
    // tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 returns wrong values (max abs error 0.84 against cpu on an
    // 11x11 stride-4 case), so strided convolutions take the fast path even in this mode.
    return chain(backend, (call) => {
      // Pad explicitly first, so the 3-D kernel sees a 'valid' convolution whatever the 2-D padding was.
      const padded = call('PadV2', { x }, { paddings: coveringPadding(info), constantValue: 0 });
      const [, ph, pw] = padded.shape;
      const x5 = call('Reshape', { x: padded }, { shape: [n, 1, ph, pw, ci] });
      const dy5 = call('Reshape', { x: dy }, { shape: [n, 1, oh, ow, co] });
      const dw = call(
        'Conv3DBackpropFilterV2',
        { x: x5, dy: dy5 },
        { strides: [1, sh, sw], pad: 'valid', filterShape: [1, kh, kw, ci, co] },
      );
      return call('Reshape', { x: dw }, { shape: filterShape });
    });
  }

  return chain(backend, (call) => {
    const xt = call('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
    const dyt = call('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co] as an HWIO filter
    // Rows the forward pass never reached (floor-mode output sizes) fall beyond KH x KW and are cut off below.
    const full = call(
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        pad: coveringPadding(info),
        dilations: [sh, sw],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    const cut =
      full.shape[1] === kh && full.shape[2] === kw
        ? full
        : call('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    return call('Transpose', { x: cut }, { perm: [1, 2, 0, 3] }); // [KH, KW, Ci, Co]
  });
}

let originalBackpropInput: KernelCall | undefined;

/**
 * The input gradient. tfjs-backend-wasm has one, but it is a scalar C loop; for stride 1 (every NiN convolution
 * whose input gradient is needed: the first layer's input is the image) it is a forward convolution of `dy`
 * with the filter flipped and its channel axes swapped. Strided convolutions keep the backend's own kernel.
 */
function conv2DBackpropInput(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const conv = attrs as ConvAttrs & { inputShape: Shape4 };
  const { dataFormat } = conv;
  const info = forwardConvInfo(conv, conv.inputShape, filter.shape as Shape4);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (strategy !== 'fast' || (dataFormat !== undefined && dataFormat !== 'NHWC') || sh !== 1 || sw !== 1) {
    if (!originalBackpropInput) throw new Error('tfjs-backend-wasm has no Conv2DBackpropInput kernel');
    return originalBackpropInput(args);
  }
  return chain(backend, (call) => {
    const flipped = call('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = call('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const explicit = [
      [0, 0],
      [top, h - oh + padInfo.top],
      [left, w - ow + padInfo.left],
      [0, 0],
    ];
    return call(
      'Conv2D',
      { x: dy, filter: swapped },
      { strides: [1, 1], pad: explicit, dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined },
    );
  });
}

/** Kernels this module adds to (or replaces in) tfjs-backend-wasm, by name. */
export const WASM_TRAINING_KERNELS: readonly string[] = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'];

let registered = false;

/**
 * Registers the missing training kernels on the `wasm` backend (idempotent; a no-op for kernels that a later
 * tfjs-backend-wasm brings itself). Import the wasm backend before calling.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
    });
  }
  const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (input) {
    // Keep the original (with its setup, which has already run or runs on backend init) for strided cases.
    originalBackpropInput = input.kernelFunc as unknown as KernelCall;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...input, kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc });
  }
}
