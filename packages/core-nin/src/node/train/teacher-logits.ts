import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FASHION_MNIST_PIXELS, preprocessImages } from '../../data/preprocess.ts';
import type { LabelledImages } from '../../data/idx.ts';
import { NUM_CLASSES } from '../../model/architecture.ts';
import { encodeNinOnnx, NIN_ONNX_INPUT, NIN_ONNX_OUTPUT } from '../../onnx/export.ts';
import { sha256Hex } from '../../weights/manifest.ts';
import { parseSafetensors, serializeSafetensors } from '../../weights/safetensors.ts';
import { IDENTITY_TRANSFORM, transformImage } from '../../training/augment.ts';
import type { TeacherLogits } from '../../training/trainer.ts';
import { readNinWeightsFile } from '../weights-file.ts';
import { writeFileAtomic } from '../atomic-write.ts';

/** Runs the teacher on preprocessed images `[n, S, S, 1]` and returns its logits `[n, 10]`. */
export type TeacherEngine = (images: Float32Array, count: number) => Promise<Float32Array>;

/** What the cached logits depend on: change any of it and the cache key, so the file, changes. */
export interface TeacherCacheKey {
  readonly format: 'nin-bench.teacher-logits/1';
  readonly teacherSha256: string;
  readonly teacherInputSize: number;
  readonly preprocessing: string;
  readonly images: { readonly count: number; readonly sha256: string };
  readonly flipped: boolean;
}

/**
 * What the teacher's images go through, written out here (not taken from the recipe's prose, whose wording may
 * change): it is part of the cache key, so it changes only when the teacher's input does.
 */
export const TEACHER_PREPROCESSING =
  'PIL-bilinear resize of the 28x28 image to inputSize, then /255 (torchvision Resize + ToTensor); mirrored images are mirrored at 28x28 before the resize';

export async function teacherCacheKey(
  teacher: { sha256: string; inputSize: number },
  images: LabelledImages,
  flipped: boolean,
  preprocessing = TEACHER_PREPROCESSING,
): Promise<{ key: TeacherCacheKey; id: string }> {
  const key: TeacherCacheKey = {
    format: 'nin-bench.teacher-logits/1',
    teacherSha256: teacher.sha256,
    teacherInputSize: teacher.inputSize,
    preprocessing,
    images: {
      count: images.count,
      sha256: await sha256Hex(images.images.subarray(0, images.count * FASHION_MNIST_PIXELS)),
    },
    flipped,
  };
  return { key, id: (await sha256Hex(new TextEncoder().encode(JSON.stringify(key)))).slice(0, 24) };
}

/**
 * onnxruntime-node on the teacher's ONNX export, all cores: the fastest float32 engine the project has (about 10x
 * tfjs wasm on NiN-224 here), for a job that only needs the teacher's answers.
 */
export async function onnxTeacherEngine(
  stateDict: Parameters<typeof encodeNinOnnx>[0],
  inputSize: number,
): Promise<TeacherEngine> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    throw new Error(
      `distillation computes the teacher's logits with onnxruntime-node, which is not installed (${(e as Error).message}); run npm ci`,
    );
  }
  const session = await ort.InferenceSession.create(encodeNinOnnx(stateDict, { inputSize }), {
    intraOpNumThreads: cpus().length,
    interOpNumThreads: 1,
  });
  return async (images, count) => {
    // NHWC with one channel is NCHW: the same bytes.
    const out = await session.run({
      [NIN_ONNX_INPUT]: new ort.Tensor('float32', images, [count, 1, inputSize, inputSize]),
    });
    return out[NIN_ONNX_OUTPUT].data as Float32Array;
  };
}

export interface TeacherLogitsOptions {
  readonly teacherPath: string;
  readonly images: LabelledImages;
  /** also the logits of every image mirrored left-right (for a recipe that flips) */
  readonly flipped: boolean;
  readonly cacheDir: string;
  /** the engine (default: onnxruntime-node on the teacher's export); tests count its calls */
  readonly engine?: TeacherEngine;
  readonly batchSize?: number;
  readonly log?: (line: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface TeacherLogitsResult extends TeacherLogits {
  readonly cachePath: string;
  /** false when the cache had them */
  readonly computed: boolean;
  readonly teacherSha256: string;
  readonly teacherInputSize: number;
}

/**
 * The teacher's logits for every training image (and its mirror), computed once and cached on disk under a key of
 * the teacher's tensors, its input size, the preprocessing and the images, so a distilled epoch costs only the
 * student's time and a resumed run (or the next one) reads them back.
 */
export async function teacherLogits(options: TeacherLogitsOptions): Promise<TeacherLogitsResult> {
  const log = options.log ?? (() => {});
  const teacher = await readNinWeightsFile(options.teacherPath);
  if (!teacher.manifest)
    throw new Error(`${teacher.path}: the teacher needs a manifest (its input size and tensor hash)`);
  const { inputSize, tensorsSha256 } = teacher.manifest;
  const { key, id } = await teacherCacheKey({ sha256: tensorsSha256, inputSize }, options.images, options.flipped);
  const cachePath = resolve(options.cacheDir, `teacher-logits-${id}.safetensors`);
  const base = { cachePath, teacherSha256: tensorsSha256, teacherInputSize: inputSize };
  if (existsSync(cachePath)) {
    const file = parseSafetensors(new Uint8Array(await readFile(cachePath)));
    const read = (name: string) => {
      const t = file.tensors.get(name);
      if (!t || t.dtype !== 'F32' || t.bytes.byteLength !== options.images.count * NUM_CLASSES * 4)
        throw new Error(
          `${cachePath}: tensor ${name} is missing or has the wrong size; delete the file to recompute it`,
        );
      return new Float32Array(t.bytes.slice().buffer);
    };
    if (file.metadata.key !== JSON.stringify(key))
      throw new Error(
        `${cachePath}: its key does not match (a hash collision or a hand-edited file); delete it to recompute`,
      );
    log(`teacher logits: read from ${cachePath}`);
    return {
      ...base,
      logits: read('logits'),
      flipped: options.flipped ? read('logits_flipped') : null,
      computed: false,
    };
  }
  const engine = options.engine ?? (await onnxTeacherEngine(teacher.stateDict, inputSize));
  const count = options.images.count;
  const batch = options.batchSize ?? 32;
  const variants = options.flipped ? [false, true] : [false];
  const total = count * variants.length;
  log(
    `teacher logits: computing ${total} with ${options.engine ? 'the given engine' : 'onnxruntime-node'} at ${inputSize} px (cached in ${cachePath})`,
  );
  const started = performance.now();
  const results: Float32Array[] = [];
  const raw = new Uint8Array(batch * FASHION_MNIST_PIXELS);
  let done = 0;
  for (const flip of variants) {
    const logits = new Float32Array(count * NUM_CLASSES);
    const transform = flip ? { ...IDENTITY_TRANSFORM, flip: true } : IDENTITY_TRANSFORM;
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      for (let i = 0; i < n; i++) {
        const k = start + i;
        transformImage(
          options.images.images.subarray(k * FASHION_MNIST_PIXELS, (k + 1) * FASHION_MNIST_PIXELS),
          transform,
          raw.subarray(i * FASHION_MNIST_PIXELS, (i + 1) * FASHION_MNIST_PIXELS),
        );
      }
      const out = await engine(preprocessImages(raw.subarray(0, n * FASHION_MNIST_PIXELS), inputSize), n);
      if (out.length !== n * NUM_CLASSES)
        throw new Error(`the teacher engine returned ${out.length} values for ${n} images`);
      logits.set(out, start * NUM_CLASSES);
      done += n;
      options.onProgress?.(done, total);
    }
    results.push(logits);
  }
  const tensors = results.map((data, i) => ({
    name: i === 0 ? 'logits' : 'logits_flipped',
    dtype: 'F32' as const,
    shape: [count, NUM_CLASSES],
    bytes: new Uint8Array(data.buffer),
  }));
  await writeFileAtomic(cachePath, serializeSafetensors(tensors, { key: JSON.stringify(key) }));
  const seconds = (performance.now() - started) / 1000;
  log(`teacher logits: ${total} images in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} images/s)`);
  return { ...base, logits: results[0], flipped: results[1] ?? null, computed: true };
}

export const DEFAULT_TEACHER_CACHE_DIR = join('checkpoints', 'teacher-logits');
