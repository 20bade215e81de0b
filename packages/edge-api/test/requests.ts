// Requests shared by the Node-side app tests and the tests inside workerd, gathered in one import: one image in every
// accepted encoding (request-bodies.ts), bodies built to hurt (hostile-bodies.ts) and the table of bad requests with
// the status and error code each must get (bad-requests.ts).
export * from './request-bodies.ts';
export { endlessBody, pngBomb } from './hostile-bodies.ts';
export { badRequests, requestFor, type BadRequest } from './bad-requests.ts';
