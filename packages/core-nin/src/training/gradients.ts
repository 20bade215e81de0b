// tfjs-core ships its gradient functions separately from its kernels; training (and only training) needs them.
// Bundlers resolve this import as is; under plain Node see node/train/tfjs-core-resolve.ts.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
