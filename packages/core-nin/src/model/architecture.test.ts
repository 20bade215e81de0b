import { describe, expect, it } from 'vitest';
import { MIN_INPUT_SIZE, NIN_TENSORS, layerShapes, multiplyAdds, parameterCount } from './architecture.ts';

describe('NiN architecture', () => {
  it('has the parameter count of the d2l model', () => {
    expect(parameterCount()).toBe(1_992_166);
  });
  it('has the multiply-add count of the d2l model at 224 px', () => {
    expect(multiplyAdds(224)).toBe(762_297_352);
  });
  it('names tensors like the PyTorch state_dict', () => {
    expect(NIN_TENSORS.map((t) => t.name).slice(0, 4)).toEqual(['0.0.weight', '0.0.bias', '0.2.weight', '0.2.bias']);
    expect(NIN_TENSORS.at(-1)).toEqual({ name: '7.4.bias', shape: [10] });
    expect(NIN_TENSORS).toHaveLength(24);
  });
  it('needs at least 67 px', () => {
    expect(MIN_INPUT_SIZE).toBe(67);
    expect(() => layerShapes(66)).toThrow(/too small/);
    expect(layerShapes(67).at(-1)?.outSize).toBe(1);
    expect(layerShapes(224).at(-1)).toMatchObject({ outChannels: 10, outSize: 5 });
  });
});
