import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '../stats/seeded-random.ts';
import { NIN_CONVS, NIN_STAGES, assertInputSize, type ConvSpec } from './architecture.ts';

/**
 * NiN parameters as tfjs tensors, keyed by state_dict name. Conv weights are kept in tfjs's HWIO layout (the
 * state_dict's OIHW is converted once at load, see weights/state-dict.ts), biases as [O].
 */
export type NinParams = ReadonlyMap<string, tf.Tensor>;

export interface ForwardOptions {
  /** Training mode: dropout active. Inference mode (default): dropout is the identity, as in `model.eval()`. */
  readonly training?: boolean;
  /** Seed for the dropout mask (training only), so a training step can be replayed exactly. */
  readonly dropoutSeed?: number;
  /**
   * The dropout mask itself (training only; wins over `dropoutSeed`): values for the NHWC `shape` at the dropout
   * stage, 0 or 1/(1-rate). The trainer draws one per image so that a batch split across workers or micro-batches
   * drops exactly what the whole batch would.
   */
  readonly dropoutMask?: (shape: readonly number[], rate: number) => Float32Array;
}

function conv(x: tf.Tensor4D, spec: ConvSpec, params: NinParams): tf.Tensor4D {
  const w = params.get(`${spec.name}.weight`) as tf.Tensor4D | undefined;
  const b = params.get(`${spec.name}.bias`) as tf.Tensor1D | undefined;
  if (!w || !b) throw new Error(`NiN parameter ${spec.name}.weight/bias is missing`);
  const p = spec.padding;
  // Explicit padding, as PyTorch's Conv2d(padding=p) (tfjs 'same' would pad asymmetrically for stride 4).
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  return tf.relu(tf.add(tf.conv2d(x, w, spec.stride, p === 0 ? 'valid' : pad), b)) as tf.Tensor4D;
}

/**
 * The forward pass of d2l's NiN on an NHWC batch `[N, H, W, 1]` (values already scaled to [0,1]); returns
 * logits `[N, 10]`. Written once with tfjs ops, so it runs on any registered backend.
 */
export function ninForward(params: NinParams, input: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
  const [, height, width, channels] = input.shape;
  if (channels !== 1) throw new RangeError(`NiN expects 1 input channel, got ${channels}`);
  if (height !== width) throw new RangeError(`NiN expects a square input, got ${height}x${width}`);
  assertInputSize(height);
  return tf.tidy(() => {
    let x: tf.Tensor4D = input;
    for (const stage of NIN_STAGES) {
      switch (stage.kind) {
        case 'block':
          for (const c of stage.block.convs) x = conv(x, c, params);
          break;
        case 'maxpool':
          x = tf.maxPool(x, stage.window, stage.stride, 'valid');
          break;
        case 'dropout':
          if (options.training && options.dropoutMask)
            x = tf.mul(x, tf.tensor(options.dropoutMask(x.shape, stage.rate), x.shape)) as tf.Tensor4D;
          else if (options.training) x = tf.dropout(x, stage.rate, undefined, options.dropoutSeed) as tf.Tensor4D;
          break;
        case 'global-avg-pool':
          return tf.mean(x, [1, 2]) as tf.Tensor2D;
      }
    }
    throw new Error('NiN stages end without a global pool');
  });
}

// re-exported: the model's callers (training, tests) have long taken it from here
export { seededRandom };

/**
 * Fresh parameters with d2l's initialisation: Xavier-uniform conv weights (`nn.init.xavier_uniform_`) and
 * PyTorch's default conv bias, U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Returned in HWIO layout as plain arrays so the
 * caller decides whether they become constants or trainable variables.
 */
export function initialNinWeights(seed = 0): Map<string, { shape: number[]; data: Float32Array }> {
  const random = seededRandom(seed);
  const uniform = (n: number, bound: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * bound);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const c of NIN_CONVS) {
    const fanIn = c.inChannels * c.kernel * c.kernel;
    const fanOut = c.outChannels * c.kernel * c.kernel;
    const shape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
    out.set(`${c.name}.weight`, { shape, data: uniform(fanIn * c.outChannels, Math.sqrt(6 / (fanIn + fanOut))) });
    out.set(`${c.name}.bias`, { shape: [c.outChannels], data: uniform(c.outChannels, 1 / Math.sqrt(fanIn)) });
  }
  return out;
}
