import * as tf from '@tensorflow/tfjs-core';
import { NIN_TENSORS } from './architecture.ts';
import type { NinParams } from './nin.ts';
import { hwioToOihw, oihwToHwio, type StateDict, type StateTensor } from '../weights/state-dict.ts';

function hwioShape([o, i, h, w]: readonly number[]): [number, number, number, number] {
  return [h, w, i, o];
}

/** Uploads a state_dict to the active backend as tfjs tensors (conv weights transposed to HWIO). */
export function paramsFromStateDict(stateDict: StateDict, asVariables = false): Map<string, tf.Tensor> {
  const params = new Map<string, tf.Tensor>();
  for (const spec of NIN_TENSORS) {
    const t = stateDict.get(spec.name)!;
    const tensor =
      spec.shape.length === 4
        ? tf.tensor4d(oihwToHwio(t.data, spec.shape), hwioShape(spec.shape))
        : tf.tensor1d(t.data);
    params.set(spec.name, asVariables ? tf.variable(tensor, true, spec.name.replaceAll('.', '_')) : tensor);
    if (asVariables) tensor.dispose();
  }
  return params;
}

/** Reads parameters back from the backend as a PyTorch-layout state_dict. */
export async function stateDictFromParams(params: NinParams): Promise<Map<string, StateTensor>> {
  const out = new Map<string, StateTensor>();
  for (const spec of NIN_TENSORS) {
    const tensor = params.get(spec.name);
    if (!tensor) throw new Error(`parameter ${spec.name} is missing`);
    const data = (await tensor.data()) as Float32Array;
    out.set(spec.name, {
      shape: spec.shape,
      data: spec.shape.length === 4 ? hwioToOihw(data, spec.shape) : Float32Array.from(data),
    });
  }
  return out;
}

export function disposeParams(params: NinParams): void {
  for (const t of params.values()) t.dispose();
}
