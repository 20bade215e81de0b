/**
 * The arithmetic of the int8 NiN, shared by both int8 writers (ONNX QDQ and TFLite) so they store the same
 * integers (pure functions, no engine): weights int8, symmetric, one scale per output channel; activations 8-bit
 * with the real range [0, 255 s] (every activation of the NiN is >= 0: the input is in [0,1], the rest are ReLU or
 * max-pool outputs): uint8 zero point 0 in ONNX, int8 zero point -128 in TFLite, the same scale s; biases int32 at
 * scale s_x * s_w, as QLinearConv and TFLite's int8 CONV_2D both require.
 */

export const INT8_MAX = 127;
export const UINT8_MAX = 255;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Round half to even: what ONNX's QuantizeLinear does, so the weights we store are the ones it would compute. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends x.5 up; an exact tie whose upward neighbour is odd goes down instead.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface PerChannelInt8 {
  /** `[O, ...]` as the float tensor, in [-127, 127] (symmetric: -128 is never used) */
  readonly values: Int8Array;
  /** one positive scale per output channel: w ~ values * scale */
  readonly scales: Float32Array;
}

/**
 * Symmetric per-output-channel int8: scale = max|w| / 127 for the channel. A channel of zeros gets scale 1
 * (any positive scale represents it exactly; ONNX and TFLite require scales > 0).
 */
export function quantizeWeightsPerChannel(weights: Float32Array, outChannels: number): PerChannelInt8 {
  if (!Number.isInteger(outChannels) || outChannels < 1 || weights.length % outChannels !== 0) {
    throw new RangeError(`cannot split ${weights.length} weights into ${outChannels} output channels`);
  }
  const per = weights.length / outChannels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let maxAbs = 0;
    for (let i = o * per; i < (o + 1) * per; i++) maxAbs = Math.max(maxAbs, Math.abs(weights[i]));
    // Rounded to float32 first: the scale stored in the model is the one every value is divided by.
    const scale = Math.fround(maxAbs > 0 ? maxAbs / INT8_MAX : 1);
    scales[o] = scale;
    for (let i = o * per; i < (o + 1) * per; i++)
      values[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, roundHalfEven(weights[i] / scale)));
  }
  return { values, scales };
}

/** int32 biases at scale inputScale * weightScale[o] (QLinearConv adds them to the int32 accumulator as they are). */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { readonly values: Int32Array; readonly scales: Float32Array } {
  if (bias.length !== weightScales.length)
    throw new RangeError(`${bias.length} biases but ${weightScales.length} weight scales`);
  const values = new Int32Array(bias.length);
  const scales = new Float32Array(bias.length);
  for (let o = 0; o < bias.length; o++) {
    scales[o] = Math.fround(inputScale * weightScales[o]);
    values[o] = Math.max(INT32_MIN, Math.min(INT32_MAX, roundHalfEven(bias[o] / scales[o])));
  }
  return { values, scales };
}

/**
 * The 8-bit scale (uint8 zero point 0, int8 zero point -128) of a non-negative activation whose calibrated range
 * is [0, max]. A tensor that was never positive on the calibration images (a dead channel group) gets 1/255, the
 * input's scale.
 */
export function activationScale(max: number): number {
  if (!(max >= 0) || !Number.isFinite(max))
    throw new RangeError(`activation range must be a finite number >= 0, got ${max}`);
  return Math.fround(max > 0 ? max / UINT8_MAX : 1 / UINT8_MAX);
}

/** How an activation's range is taken from its calibration values: their maximum, or a percentile (clips outliers). */
export type ActivationStatistic =
  { readonly kind: 'max' } | { readonly kind: 'percentile'; readonly percentile: number };

/** `max` or `pNN.NN` (e.g. `p99.99`): the CLI's and the metadata's spelling. */
export function parseActivationStatistic(text: string): ActivationStatistic {
  if (text === 'max') return { kind: 'max' };
  const m = /^p(\d+(?:\.\d+)?)$/.exec(text);
  if (m && Number(m[1]) > 0 && Number(m[1]) < 100) return { kind: 'percentile', percentile: Number(m[1]) };
  throw new RangeError(
    `calibration statistic must be "max" or "pNN.NN" with 0 < NN < 100 (e.g. p99.99), got "${text}"`,
  );
}

export function formatActivationStatistic(s: ActivationStatistic): string {
  return s.kind === 'max' ? 'max' : `p${s.percentile}`;
}

/** Bins of the percentile histogram: its resolution is at worst 1/2048 of the largest value seen. */
export const RANGE_HISTOGRAM_BINS = 2048;

/**
 * The range of one non-negative activation over calibration batches, streamed (a 224 px NiN's first layer alone
 * has 280,000 values per image: they are never all held). `max` keeps the maximum; a percentile keeps a
 * histogram over [0, top] whose top doubles (merging bin pairs, which loses nothing) when a larger value comes.
 */
export class ActivationRange {
  private maximum = 0;
  private count = 0;
  private top = 0;
  private readonly bins: Float64Array | null;

  constructor(readonly statistic: ActivationStatistic) {
    this.bins = statistic.kind === 'percentile' ? new Float64Array(RANGE_HISTOGRAM_BINS) : null;
  }

  add(values: Float32Array): void {
    let batchMax = 0;
    for (let i = 0; i < values.length; i++) if (values[i] > batchMax) batchMax = values[i];
    if (!Number.isFinite(batchMax)) throw new RangeError('calibration met a non-finite activation');
    this.maximum = Math.max(this.maximum, batchMax);
    this.count += values.length;
    const bins = this.bins;
    if (!bins) return;
    if (batchMax > this.top) {
      let top = this.top > 0 ? this.top : batchMax;
      let factor = 1;
      while (top < batchMax) {
        top *= 2;
        factor *= 2;
      }
      if (factor > 1) {
        for (let b = 0; b < RANGE_HISTOGRAM_BINS; b++) {
          const v = bins[b];
          bins[b] = 0;
          bins[Math.floor(b / factor)] += v;
        }
      }
      this.top = top;
    }
    if (this.top === 0) {
      bins[0] += values.length; // all zeros so far
      return;
    }
    const perBin = RANGE_HISTOGRAM_BINS / this.top;
    for (let i = 0; i < values.length; i++)
      bins[Math.min(RANGE_HISTOGRAM_BINS - 1, Math.floor(Math.max(0, values[i]) * perBin))]++;
  }

  /** The calibrated upper end of the range (0 when nothing positive was seen). */
  value(): number {
    if (this.count === 0) throw new RangeError('no calibration values were added');
    const bins = this.bins;
    if (!bins || this.statistic.kind !== 'percentile') return this.maximum;
    const wanted = (this.statistic.percentile / 100) * this.count;
    let seen = 0;
    for (let b = 0; b < RANGE_HISTOGRAM_BINS; b++) {
      seen += bins[b];
      // The upper edge of the bin where the percentile falls, never above the true maximum.
      if (seen >= wanted) return Math.min(this.maximum, ((b + 1) * this.top) / RANGE_HISTOGRAM_BINS);
    }
    return this.maximum;
  }
}
