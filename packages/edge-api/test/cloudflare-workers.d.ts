// The part of workerd's `cloudflare:workers` module the tests use (@cloudflare/vitest-plugin provides it at run time).
declare module 'cloudflare:workers' {
  export const exports: { default: { fetch(request: Request): Promise<Response> } };
}
