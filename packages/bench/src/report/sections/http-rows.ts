import { WORKERS_PRICES_READ, WORKERS_PRICING_URL } from '../../edge/workers-pricing.ts';
import { measured } from '../rows.ts';
import { prose, type ReportSection } from './section.ts';

const HTTP_ROWS = prose`- **HTTP rows** (the edge endpoint) run the server on this same machine (\`wrangler dev\`, local workerd) and
  reach it over loopback HTTP, straight to the Worker's own workerd socket (wrangler dev's entry proxy, a second workerd
  that a deployment does not have, is bypassed; its added latency is a runner-specific measurement): their times
  include HTTP, JSON and the server's own input handling, and the server competes with the client for the cores. The
  server serves the weights bundled into it (see its details under Machine and versions), so its agreement also
  reflects their storage precision. Its memory row is the client process only.`;

const EDGE_EXTRAS = prose`  The edge runner also reads the CPU time the Worker's own workerd process uses per request (user + system,
  from /proc, over sequential requests; wrangler dev's entry proxy, a second workerd that a deployment does not have,
  is reported beside it in the total), and prices it at Cloudflare's published Workers prices (${WORKERS_PRICING_URL},
  read ${WORKERS_PRICES_READ}: Free plan 10 ms of CPU per request and 100,000 requests a day; Paid $5 a month, then
  $0.30 per million requests and $0.02 per million CPU ms beyond the included 10 M requests and 30 M CPU ms). It
  measures throughput with 4 concurrent clients, reads the Worker's WebAssembly memory from its /health, and soaks the
  endpoint with real test images (16 clients and one; errors, the same answer per image, memory flat): see
  Runner-specific measurements.`;

/** Rows reached over HTTP (the edge): what their figures include; no section of their own. */
export const httpRows: ReportSection = {
  name: 'HTTP rows',
  methodology: ({ results }) => {
    const remote = results.runs.filter((r) => r.remote);
    if (!remote.some(measured)) return [];
    return [HTTP_ROWS, ...(remote.some((r) => r.extras?.length) ? [`  ${EDGE_EXTRAS}`] : [])];
  },
};
