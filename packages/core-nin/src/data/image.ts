/**
 * A decoded picture as every decoder here hands it on: 8-bit RGBA, row-major, upright (a JPEG's EXIF orientation
 * already applied). The model's input is made from it by `toModelTile` (Fashion-MNIST's conversion or a tile resize).
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width x height x 4 bytes: R, G, B, A */
  readonly data: Uint8Array;
}

/**
 * 8-bit gray from RGBA: luma with PIL's `convert('L')` integer formula (ITU-R 601-2), alpha composited on
 * `background` (0: black, Fashion-MNIST's background; 255: white, a product photo's).
 */
export function rgbaToGray(image: RgbaImage, background = 0): Uint8Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 4)
    throw new RangeError(`RGBA data has ${data.length} bytes, expected ${width}x${height}x4`);
  const gray = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < gray.length; p++, i += 4) {
    const luma = (data[i] * 19595 + data[i + 1] * 38470 + data[i + 2] * 7471 + 0x8000) >>> 16;
    const alpha = data[i + 3];
    gray[p] = alpha === 255 ? luma : Math.round((luma * alpha + background * (255 - alpha)) / 255);
  }
  return gray;
}
