import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readOnnxMetadata } from '../onnx/metadata.ts';
import { expectOneLineError, runNin } from '../../test/fixtures/cli.ts';
import { FASHION_MNIST_FILES, SYSTEM_FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.ts';
import { trainingCalibrationImages } from './int8-onnx.ts';
import { main } from './cli/main.ts';
import { MADE_UP_ACCURACY, useTempDir, writeTinyWeights } from './cli/test-support.ts';

// Every caller of the data loader in this file's module graph (the CLI included) gets this spy.
vi.mock('./fashion-mnist.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./fashion-mnist.ts')>();
  return { ...actual, loadFashionMnist: vi.fn(actual.loadFashionMnist) };
});

describe('int8 calibration reads training images only', () => {
  const dir = useTempDir('nin-int8-calibration-');
  const weights = join(dir, 'tiny.safetensors');
  // A data directory with the real training files and a test split that fails its checksum if anything opens it.
  const data = join(dir, 'fashion-mnist');
  beforeAll(async () => {
    await writeTinyWeights(weights, 4, 'float32', MADE_UP_ACCURACY);
    await mkdir(data);
    for (const name of Object.values(FASHION_MNIST_FILES.train))
      await symlink(join(SYSTEM_FASHION_MNIST_DIR, `${name}.gz`), join(data, `${name}.gz`));
    for (const name of Object.values(FASHION_MNIST_FILES.test)) await writeFile(join(data, name), 'not the test set');
  });

  it('picks images spread evenly over the training split, and only asks the loader for "train"', async () => {
    const loader = vi.mocked(loadFashionMnist);
    loader.mockClear();
    const images = await trainingCalibrationImages(3);
    expect(loader.mock.calls.map((c) => c[0])).toEqual(['train']);
    const train = await loader.mock.results[0].value;
    expect(images.images).toEqual(
      new Uint8Array([
        ...train.images.subarray(0, 784),
        ...train.images.subarray(20_000 * 784, 20_001 * 784),
        ...train.images.subarray(40_000 * 784, 40_001 * 784),
      ]),
    );
    expect(images).toMatchObject({
      split: 'train',
      count: 3,
      description: 'Fashion-MNIST train, 3 of 60000 images: every 20000th from index 0',
    });
    await expect(trainingCalibrationImages(60_001)).rejects.toThrow(/between 1 and 60000/);
  });

  it('nin export-onnx --int8 never loads the test split (in process: every call of the loader)', async () => {
    const loader = vi.mocked(loadFashionMnist);
    loader.mockClear();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const out = join(dir, 'in-process.onnx');
      expect(
        await main(['export-onnx', '--weights', weights, '--out', out, '--int8', '--calibration-images', '16']),
      ).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(loader.mock.calls.length).toBeGreaterThan(0);
    expect(loader.mock.calls.map((c) => c[0])).toEqual(loader.mock.calls.map(() => 'train'));
  });

  it('nin export-onnx --int8 works beside a test split that cannot be read, which nin eval stumbles on (the real CLI)', async () => {
    const out = join(dir, 'subprocess.onnx');
    const env = { FASHION_MNIST_DIR: data };
    const r = await runNin(
      ['export-onnx', '--weights', weights, '--out', out, '--int8', '--calibration-images', '16'],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const calibration = JSON.parse(readOnnxMetadata(new Uint8Array(await readFile(out))).calibration!);
    expect(calibration).toMatchObject({ split: 'train', images: 16, statistic: 'max', inputSize: 67 });
    // the control: reading the test split from the same directory fails on its checksum
    expect(expectOneLineError(await runNin(['eval', '--onnx', out, '--limit', '4'], { env }), 'eval')).toMatch(
      /t10k-(images-idx3|labels-idx1)-ubyte: decompressed content has sha256/,
    );
  });
});
