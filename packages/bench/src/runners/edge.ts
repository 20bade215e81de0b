import { BackendUnavailableError } from '@nin-bench/core-nin/errors';
import { predictLogits } from './edge-client.ts';
import { concurrentStep, soakStep, workerCpuSteps, workerMemoryStep } from './edge-extras.ts';
import { coldCpuMeasurement, workerdCpuMs } from './edge-measurements.ts';
import { workerPeakProbe } from './edge-peak-probe.ts';
import { connectEdge, getJson, type EdgeServer } from './edge-server.ts';
import type { CreateRunner, EngineFacts, ExtraMeasurement, LoadedModel, RunnerTask } from './runner.ts';

export {
  proxyLatencyMeasurement,
  serverCpuMeasurements,
  soakMeasurement,
  workerMemoryMeasurement,
  workerRssBytes,
  workerdCpuMs,
} from './edge-measurements.ts';
export { startEdgeDev, workerSocketUrl } from './edge-server.ts';

/**
 * One Workers build of the edge endpoint (packages/edge-api: Hono on workerd, its own bundled model; the row's
 * `options.edgeSize` and `options.edgeEngine`, tfjs wasm SIMD or onnxruntime-web int8), reached only over HTTP like
 * any client would. With `EDGE_URL` set it measures that server (when it serves the row's build); otherwise it
 * starts the real `wrangler dev` through the project's own command (`EDGE_SIZE=<size> EDGE_ENGINE=<engine> npm run
 * edge:dev`, offline) on a free port; the server stops with the row's child (edge-server.ts). At another input
 * size than its build's, the row is unavailable at once.
 *
 * What the timings include: HTTP on loopback to the Worker's own workerd socket, the Worker's input parsing and
 * preprocessing, the forward pass and the JSON answer. wrangler dev puts an entry proxy (a second workerd) in front
 * of the Worker, which a deployment does not have: the timed loops bypass it when the runner started the server and
 * can find that socket, and its cost is reported beside them (latency p50 through the proxy); the soak goes through
 * the public port, like any client. The row's memory is this client's, not workerd's.
 * Single images go as `application/octet-stream` (784 bytes), batches as JSON `{"images": [...]}`.
 */
export const createRunner: CreateRunner = (task) => {
  const build = edgeBuild(task);
  let server: EdgeServer | undefined;
  let maxBatch = 16;
  return {
    get maxBatch() {
      return maxBatch;
    },
    async init() {
      server = await startWorker(task, build);
      const index = await getJson(`${server.base}/`);
      maxBatch = Number((index.limits as { maxBatch?: number } | undefined)?.maxBatch ?? maxBatch);
      return workerFacts(server, build, maxBatch);
    },
    load: () => loadServedModel(task, build, server!),
  };
};

/** The row's build of the edge: its input size and engine. */
interface EdgeBuild {
  readonly size: number;
  readonly engine: string;
}

const edgeBuild = (task: RunnerTask): EdgeBuild => ({
  size: task.options.edgeSize === undefined ? task.size : Number(task.options.edgeSize),
  engine: String(task.options.edgeEngine ?? 'tfjs'),
});

/** Start: the row's build at the bench's size, else the row is unavailable at once. */
async function startWorker(task: RunnerTask, build: EdgeBuild): Promise<EdgeServer> {
  if (build.size !== task.size) {
    throw new BackendUnavailableError(
      'edge',
      `this row is the ${build.size} px build: it runs when the bench runs at ${build.size} px (--size ${build.size})`,
    );
  }
  return connectEdge(build.size, build.engine);
}

function workerFacts(server: EdgeServer, build: EdgeBuild, maxBatch: number): EngineFacts {
  const { base, workerBase } = server;
  return {
    engine: 'edge endpoint',
    version: `Hono on workerd, ${build.engine}`,
    details: {
      build: `${build.size} px, EDGE_ENGINE=${build.engine}`,
      url: process.env.EDGE_URL ? base : 'wrangler dev (local workerd), started by the runner',
      transport:
        workerBase === base
          ? "HTTP/1.1 loopback (through wrangler dev's entry proxy: the Worker's own socket was not found)"
          : "HTTP/1.1 loopback to the Worker's own workerd socket (wrangler dev's entry proxy, which a deployment " +
            'does not have, bypassed; its cost is in the extras)',
      maxBatch,
      memory: 'client process only',
    },
  };
}

/** What the Worker serves, from its /health and /model: it must be the row's size and engine. */
interface ServedModel {
  readonly health: Record<string, unknown>;
  readonly model: Record<string, unknown>;
  readonly engine: string;
}

/** The first /health makes the Worker load its wasm backend and bundled weights; then /model says what they are. */
async function checkServedModel(base: string, task: RunnerTask, build: EdgeBuild): Promise<ServedModel> {
  const health = await getJson(`${base}/health`);
  if (health.status !== 'ready') throw new Error(`the edge is not ready: ${JSON.stringify(health)}`);
  const model = await getJson(`${base}/model`);
  if (model.inputSize !== task.size) {
    const served = `${String(model.inputSize)} px model (bundled ${String(model.weightPrecision)} weights)`;
    throw new BackendUnavailableError('edge', `the endpoint serves the ${served}, not ${task.size} px`);
  }
  // Servers from before the engine switch do not say: they are tfjs.
  const engine = String((model.engine as { name?: string } | undefined)?.name ?? 'tfjs');
  if (engine !== build.engine)
    throw new BackendUnavailableError('edge', `the endpoint runs the ${engine} engine, not ${build.engine}`);
  return { health, model, engine };
}

/**
 * Load: the served model checked (checkServedModel). The cold first request's Worker CPU runs from before its
 * first /health to the end of the first /predict (the harness's first inference).
 */
async function loadServedModel(task: RunnerTask, build: EdgeBuild, server: EdgeServer): Promise<LoadedModel> {
  const { workerBase, devGroup } = server;
  const loadStarted = performance.now();
  const coldCpuBefore = devGroup ? workerdCpuMs(devGroup).workerMs : null;
  let coldCpuMs: number | null | undefined;
  const { health, model, engine: servedEngine } = await checkServedModel(server.base, task, build);
  // The load ends here: the WebAssembly peak probe inside the Worker (GET /probe, seconds of its CPU) comes after,
  // outside the cold start's load phase.
  const loadMs = performance.now() - loadStarted;
  const peakProbe = await workerPeakProbe(workerBase);
  return {
    loadMs,
    // Which weights the Worker serves (its own bundle, not the bench's file): the report shows them beside the row.
    details: {
      servedWeights: `${String(model.weightPrecision)}, ${String(model.inputSize)} px`,
      servedEngine,
      servedSha256: String(model.sha256 ?? health.modelSha256 ?? 'unknown'),
      // the served model's accuracy on all 10,000 test images, as its manifest / ONNX metadata records it
      ...(typeof model.testAccuracy === 'number' ? { servedTestAccuracy: model.testAccuracy } : {}),
      workerBackend: String(health.backend ?? 'unknown'),
      // this machine's WebAssembly peak measured inside the Worker (GET /probe; none from a server without it)
      ...peakProbe,
    },
    async infer(batch) {
      const logits = await predictLogits(workerBase, batch);
      if (coldCpuMs === undefined) {
        const after = devGroup ? workerdCpuMs(devGroup).workerMs : null;
        coldCpuMs = coldCpuBefore === null || after === null ? null : after - coldCpuBefore;
      }
      return logits;
    },
    /**
     * What a single-stream loop cannot show, each loop for the profile's single-stream budget: the Worker's CPU
     * per request against the Workers plans' CPU limits, throughput and latency with 4 concurrent clients, the
     * Worker's memory, and the soak.
     */
    async extraMeasurements({ sample, budget, testImages, soakRequests }) {
      const out: ExtraMeasurement[] = coldCpuMs != null ? [coldCpuMeasurement(coldCpuMs)] : [];
      out.push(...(await workerCpuSteps(server, budget, sample.images)));
      out.push(await concurrentStep(server, budget, sample.images));
      out.push(...(await workerMemoryStep(server)));
      out.push(await soakStep(server, testImages, soakRequests));
      return out;
    },
  };
}
