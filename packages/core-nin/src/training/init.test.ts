import { describe, expect, it } from 'vitest';
import { NIN_CONVS } from '../model/architecture.ts';
import { initialNinWeights } from '../model/nin.ts';
import { LIVE_HEAD_BIAS, initialWeights } from './init.ts';

describe('initialisation', () => {
  it("xavier-uniform is d2l's, unchanged", () => {
    expect(initialWeights('xavier-uniform', 4)).toEqual(initialNinWeights(4));
  });

  it('he-normal has mean 0 and std sqrt(2 / fan_in) per layer, biases as PyTorch, and is seeded', () => {
    const he = initialWeights('he-normal', 4);
    const xavier = initialNinWeights(4);
    for (const c of NIN_CONVS.filter((c) => c.inChannels * c.outChannels * c.kernel * c.kernel > 5000)) {
      const w = he.get(`${c.name}.weight`)!.data;
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
      const want = Math.sqrt(2 / (c.inChannels * c.kernel * c.kernel));
      expect(Math.abs(mean)).toBeLessThan(want * 0.05);
      expect(std / want).toBeGreaterThan(0.95);
      expect(std / want).toBeLessThan(1.05);
      expect(he.get(`${c.name}.bias`)).toEqual(xavier.get(`${c.name}.bias`));
    }
    expect(initialWeights('he-normal', 4)).toEqual(he);
    expect(initialWeights('he-normal', 5).get('0.0.weight')).not.toEqual(he.get('0.0.weight'));
  });

  it('he-normal-live-head is he-normal with the last conv at weights 0 and bias +1: no output channel starts dead', () => {
    const he = initialWeights('he-normal', 0);
    const live = initialWeights('he-normal-live-head', 0);
    const last = NIN_CONVS[NIN_CONVS.length - 1];
    for (const [name, t] of he) {
      if (name.startsWith(`${last.name}.`)) continue;
      expect(live.get(name), name).toEqual(t);
    }
    expect(live.get(`${last.name}.weight`)!.data.every((v) => v === 0)).toBe(true);
    expect(Array.from(live.get(`${last.name}.bias`)!.data)).toEqual(new Array(last.outChannels).fill(LIVE_HEAD_BIAS));
    // What it fixes: he-normal's last layer, on non-negative inputs, has channels whose pre-activation is negative
    // whatever the input (all weights and the bias below 0 would do; at seed 0 some channels are near it).
    expect(Array.from(he.get(`${last.name}.bias`)!.data).some((b) => b < 0)).toBe(true);
  });
});
