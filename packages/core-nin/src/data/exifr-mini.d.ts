// exifr's mini build (EXIF only; what jpeg.ts loads) ships without types of its own: they are the full build's.
declare module 'exifr/dist/mini.esm.mjs' {
  export { orientation } from 'exifr';
}
