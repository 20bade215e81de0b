/** Fashion-MNIST's ten classes, in label order (https://github.com/zalandoresearch/fashion-mnist#labels). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export type FashionMnistClass = (typeof FASHION_MNIST_CLASSES)[number];
