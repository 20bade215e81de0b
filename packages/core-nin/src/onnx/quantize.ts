// The int8 arithmetic moved to quantize/int8.ts, shared by the ONNX and TFLite int8 writers; this path stays for
// the ONNX side's imports.
export * from '../quantize/int8.ts';
