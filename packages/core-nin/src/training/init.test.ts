import { describe, expect, it } from 'vitest';
import { NIN_CONVS } from '../model/architecture.ts';
import { initialNinWeights } from '../model/nin.ts';
import { initialWeights } from './init.ts';

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
});
