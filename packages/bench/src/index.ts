// The bench as a library: the runner interface (to add an engine), the results schema, and the report.
export * from './runners/runner.ts';
export * from './child/protocol.ts';
export * from './results/schema.ts';
export * from './stats/summary.ts';
export { createCatalog, selectEntries, REFERENCE_BACKEND, type CatalogEntry } from './plan/catalog.ts';
export { PROFILES, type Profile } from './plan/profiles.ts';
export { renderReport } from './report/report.ts';
export { chartsFor, type Chart } from './report/charts.ts';
export { readResults } from './report/write.ts';
export {
  chooseEdgeBuild,
  edgeBuildFigures,
  EDGE_ACCURACY_TARGET,
  type EdgeBuildFigures,
} from './report/edge-choice.ts';
