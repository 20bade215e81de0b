// The calibration moved to quantize/calibrate.ts, shared by the ONNX and TFLite int8 writers; this path stays for
// the ONNX side's imports.
export * from '../quantize/calibrate.ts';
