import { register } from 'node:module';

/**
 * tfjs-core publishes its gradients only as ES modules with extensionless imports (`./gradients`, `../../gradients`), meant for
 * bundlers. Node (and tsx) can resolve most of them, but `./gradients` names both a file and a folder in
 * tfjs-core's dist, and Node picks the folder. This resolve hook sends those imports to `gradients.js`. It runs
 * only inside tfjs-core's dist folder and only for that one ambiguous name, and bundlers never need it.
 */
const HOOK = `
export async function resolve(specifier, context, next) {
  if (/^(\\.\\.?\\/)+gradients$/.test(specifier) && context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/')) {
    return next(specifier + '.js', context);
  }
  return next(specifier, context);
}
`;

let registered = false;

/** Installs the hook once; call before importing `@tensorflow/tfjs-core/dist/register_all_gradients`. */
export function registerTfjsCoreResolveHook(): void {
  if (registered) return;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
  registered = true;
}
