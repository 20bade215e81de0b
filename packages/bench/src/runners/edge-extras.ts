import { photoStyleFile } from '@nin-bench/core-nin/data/photo-style';
import { soakEdge } from '../edge/soak.ts';
import { predictOne, timedLoop } from './edge-client.ts';
import {
  ONE_MEGAPIXEL_PHOTO,
  photoCpuMeasurement,
  proxyLatencyMeasurement,
  serverCpuMeasurements,
  soakMeasurement,
  throughputMeasurement,
  workerMemoryMeasurement,
  workerRssBytes,
  workerdCpuMs,
} from './edge-measurements.ts';
import type { EdgeServer } from './edge-server.ts';
import { getJson } from './edge-server.ts';
import type { ExtraMeasurement } from './runner.ts';

// The edge row's measurements beside the harness's loops, one step each: the Worker's CPU per request (and the
// entry proxy's share, and a photo's), throughput under concurrent clients, the Worker's memory, the soak.

type Budget = { readonly timeMs: number; readonly minIterations: number };

/**
 * The CPU time workerd spends per request: utime + stime of the workerd processes in the dev server's process
 * group, from /proc, over sequential requests; only when this runner started the server. Then the entry proxy's
 * latency, and a 1 MP JPEG photo's Worker CPU.
 */
export async function workerCpuSteps(
  server: EdgeServer,
  budget: Budget,
  image: Uint8Array,
): Promise<ExtraMeasurement[]> {
  const { base, workerBase, devGroup } = server;
  if (devGroup === null) {
    return [
      {
        name: 'Worker CPU per request',
        value: 'not measured',
        note: 'EDGE_URL points at a server this runner did not start, so its processes are not visible',
      },
    ];
  }
  const out: ExtraMeasurement[] = [];
  // through the public port, so that the total includes the entry proxy's CPU
  const before = workerdCpuMs(devGroup);
  const { count, latencies: viaProxy } = await timedLoop(budget, 1, () => predictOne(base, image));
  const after = workerdCpuMs(devGroup);
  const workerMs =
    before.workerMs === null || after.workerMs === null ? null : (after.workerMs - before.workerMs) / count;
  out.push(...serverCpuMeasurements({ workerMs, totalMs: (after.totalMs - before.totalMs) / count }, count));
  if (workerBase !== base) {
    const { latencies: direct } = await timedLoop(budget, 1, () => predictOne(workerBase, image));
    out.push(proxyLatencyMeasurement(viaProxy, direct));
  }
  const photo = photoStyleFile(image.subarray(0, 784), ONE_MEGAPIXEL_PHOTO, 1);
  const photoBefore = workerdCpuMs(devGroup).workerMs;
  const photoLoop = await timedLoop(budget, 1, () => predictOne(workerBase, photo, 'image/jpeg'));
  const photoAfter = workerdCpuMs(devGroup).workerMs;
  if (photoBefore !== null && photoAfter !== null)
    out.push(photoCpuMeasurement((photoAfter - photoBefore) / photoLoop.count, photoLoop.count, photo.length));
  return out;
}

/** Throughput and per-request latency with `clients` concurrent clients, straight to the Worker. */
export async function concurrentStep(
  server: EdgeServer,
  budget: Budget,
  image: Uint8Array,
  clients = 4,
): Promise<ExtraMeasurement> {
  const { count, ms, latencies } = await timedLoop(budget, clients, () => predictOne(server.workerBase, image));
  return throughputMeasurement(clients, count, ms, latencies);
}

/** The Worker's WebAssembly memory as its /health reports it (none from a server that does not say). */
export async function workerMemoryStep(server: EdgeServer): Promise<ExtraMeasurement[]> {
  const health = await getJson(`${server.base}/health`);
  return typeof health.wasmHeapBytes === 'number' ? [workerMemoryMeasurement(health.wasmHeapBytes)] : [];
}

/** The soak: `requests` test images through the public port from 16 clients, in up to 5 rounds. */
export async function soakStep(
  server: EdgeServer,
  testImages: { readonly images: Uint8Array; readonly count: number },
  requests: number,
): Promise<ExtraMeasurement> {
  const { devGroup } = server;
  const soak = await soakEdge({
    base: server.base,
    images: testImages,
    requests,
    rounds: Math.min(5, requests),
    clients: 16,
    workerRssBytes: devGroup ? () => workerRssBytes(devGroup) : undefined,
  });
  return soakMeasurement(soak);
}
