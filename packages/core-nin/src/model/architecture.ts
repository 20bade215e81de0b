/**
 * The NiN of d2l's PyTorch chapter, described as data so that parameter and multiply-add counts, weight names
 * and the forward pass all come from one description.
 *
 * Torch `nn.Sequential` indices are kept: block `i` owns `i.0` (k x k conv), `i.2` and `i.4` (1x1 convs); the
 * odd indices are the ReLUs. Indices 1, 3, 5 are max-pools, 6 is dropout, 8/9 are the global pool and flatten.
 */

export interface ConvSpec {
  /** state_dict prefix, e.g. `0.0` */
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export interface NinBlockSpec {
  readonly index: number;
  readonly convs: readonly [ConvSpec, ConvSpec, ConvSpec];
}

export type NinStage =
  | { readonly kind: 'block'; readonly block: NinBlockSpec }
  | { readonly kind: 'maxpool'; readonly index: number; readonly window: number; readonly stride: number }
  | { readonly kind: 'dropout'; readonly index: number; readonly rate: number }
  | { readonly kind: 'global-avg-pool'; readonly index: number };

function ninBlock(index: number, inC: number, outC: number, kernel: number, stride: number, padding: number): NinStage {
  const conv = (sub: number, i: number, k: number, s: number, p: number): ConvSpec => ({
    name: `${index}.${sub}`,
    inChannels: i,
    outChannels: outC,
    kernel: k,
    stride: s,
    padding: p,
  });
  return {
    kind: 'block',
    block: { index, convs: [conv(0, inC, kernel, stride, padding), conv(2, outC, 1, 1, 0), conv(4, outC, 1, 1, 0)] },
  };
}

export const NUM_CLASSES = 10;
export const DEFAULT_INPUT_SIZE = 224;
export const DROPOUT_RATE = 0.5;

export const NIN_STAGES: readonly NinStage[] = [
  ninBlock(0, 1, 96, 11, 4, 0),
  { kind: 'maxpool', index: 1, window: 3, stride: 2 },
  ninBlock(2, 96, 256, 5, 1, 2),
  { kind: 'maxpool', index: 3, window: 3, stride: 2 },
  ninBlock(4, 256, 384, 3, 1, 1),
  { kind: 'maxpool', index: 5, window: 3, stride: 2 },
  { kind: 'dropout', index: 6, rate: DROPOUT_RATE },
  ninBlock(7, 384, NUM_CLASSES, 3, 1, 1),
  { kind: 'global-avg-pool', index: 8 },
];

export const NIN_CONVS: readonly ConvSpec[] = NIN_STAGES.flatMap((s) => (s.kind === 'block' ? [...s.block.convs] : []));

export interface TensorSpec {
  readonly name: string;
  /** PyTorch layout: OIHW for weights, [O] for biases */
  readonly shape: readonly number[];
}

/** The state_dict entries in PyTorch's order. */
export const NIN_TENSORS: readonly TensorSpec[] = NIN_CONVS.flatMap((c) => [
  { name: `${c.name}.weight`, shape: [c.outChannels, c.inChannels, c.kernel, c.kernel] },
  { name: `${c.name}.bias`, shape: [c.outChannels] },
]);

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function parameterCount(): number {
  return NIN_TENSORS.reduce((n, t) => n + sizeOf(t.shape), 0);
}

/** Floor-mode output size of a convolution or pooling window, as PyTorch computes it. */
function windowOutput(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export interface LayerShape {
  readonly stage: string;
  readonly outChannels: number;
  readonly outSize: number;
  /** multiply-adds per image (convolutions only; pooling and ReLU are not counted) */
  readonly multiplyAdds: number;
}

/** Spatial sizes and multiply-adds of every layer for a square input; throws when the input is too small. */
export function layerShapes(inputSize: number): LayerShape[] {
  if (!Number.isInteger(inputSize) || inputSize < 1)
    throw new RangeError(`input size must be a positive integer, got ${inputSize}`);
  const shapes: LayerShape[] = [];
  let size = inputSize;
  let channels = 1;
  for (const stage of NIN_STAGES) {
    if (stage.kind === 'block') {
      for (const c of stage.block.convs) {
        size = windowOutput(size, c.kernel, c.stride, c.padding);
        if (size < 1) throw tooSmall(inputSize);
        channels = c.outChannels;
        shapes.push({
          stage: c.name,
          outChannels: channels,
          outSize: size,
          multiplyAdds: size * size * channels * c.inChannels * c.kernel * c.kernel,
        });
      }
    } else if (stage.kind === 'maxpool') {
      size = windowOutput(size, stage.window, stage.stride, 0);
      if (size < 1) throw tooSmall(inputSize);
      shapes.push({ stage: `${stage.index}`, outChannels: channels, outSize: size, multiplyAdds: 0 });
    }
  }
  return shapes;
}

function tooSmall(inputSize: number): RangeError {
  return new RangeError(
    `input size ${inputSize} is too small for NiN: the three 3x2 max-pools need at least ${MIN_INPUT_SIZE} px`,
  );
}

/** Smallest square input for which every stage has a non-empty output (found by search, not typed in). */
export const MIN_INPUT_SIZE: number = (() => {
  for (let s = 1; s < 1024; s++) {
    try {
      layerShapesUnchecked(s);
      return s;
    } catch {
      /* too small, try the next size */
    }
  }
  throw new Error('unreachable');
})();

function layerShapesUnchecked(inputSize: number): void {
  let size = inputSize;
  for (const stage of NIN_STAGES) {
    if (stage.kind === 'block')
      for (const c of stage.block.convs) size = windowOutput(size, c.kernel, c.stride, c.padding);
    else if (stage.kind === 'maxpool') size = windowOutput(size, stage.window, stage.stride, 0);
    if (size < 1) throw new RangeError('too small');
  }
}

/** Multiply-adds of one forward pass of one image. */
export function multiplyAdds(inputSize: number = DEFAULT_INPUT_SIZE): number {
  return layerShapes(inputSize).reduce((n, l) => n + l.multiplyAdds, 0);
}

export function assertInputSize(inputSize: number): void {
  layerShapes(inputSize);
}
