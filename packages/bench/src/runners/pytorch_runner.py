#!/usr/bin/env python3
"""The bench's PyTorch engine: d2l's `nn.Sequential` NiN (test/parity/torch_nin.py) with our safetensors weights,
driven by runners/pytorch.ts over stdin/stdout. The harness (tinybench in the Node child) times each call; this
process also times its own part of each call (input to the device, forward pass, logits back) and returns it.

  pytorch_runner.py --device cpu|cuda [--precision strict|default] [--threads N]

Frames both ways: a 4-byte little-endian header length, a JSON header, then `header["bytes"]` raw bytes (0 when
absent). First frame out: {"type": "hello", ...facts} or {"type": "unavailable", "reason": ...}. Requests:
  {"op": "load", "weights": PATH, "size": S}              -> {"ok": true, "ms": ..., "details": {...}}
  {"op": "infer", "id": K, "n": N, "bytes": B, "keep": b} -> {"ok": true, "ms": ..., "bytes": N*40} + float32 logits
      B > 0 sends N x 1 x S x S float32 inputs (kept under id K when "keep"); B = 0 reuses the inputs kept under K
  {"op": "stats"}                                         -> {"ok": true, "peakRssBytes": ...}
A failed request answers {"ok": false, "message": ...}; end of input ends the process.
"""
import argparse
import json
import os
import platform
import resource
import struct
import sys
import time
from collections import OrderedDict

# Beside this file in the GPU kit's bundle; in the repository, the parity reference's folder.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'core-nin', 'test', 'parity'))
sys.path.insert(0, HERE)

# Inputs kept per id; runners/pytorch.ts mirrors this policy (least recently used out first) to know what is here.
KEEP_LIMIT = 8

OUT = sys.stdout.buffer
IN = sys.stdin.buffer


def send(header, payload=b''):
    if payload:
        header = {**header, 'bytes': len(payload)}
    encoded = json.dumps(header).encode('utf-8')
    OUT.write(struct.pack('<I', len(encoded)) + encoded)
    if payload:
        OUT.write(payload)
    OUT.flush()


def read_exact(n):
    chunks, left = [], n
    while left > 0:
        chunk = IN.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b''.join(chunks)


def receive():
    head = read_exact(4)
    if head is None:
        return None, b''
    (length,) = struct.unpack('<I', head)
    header = json.loads(read_exact(length).decode('utf-8'))
    size = int(header.get('bytes', 0))
    return header, (read_exact(size) if size else b'')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    p.add_argument('--precision', choices=['strict', 'default'], default='strict')
    p.add_argument('--threads', type=int, default=0)
    a = p.parse_args()
    try:
        import torch
        from torch_nin import d2l_nin, load_file, SAFETENSORS_IMPL
    except ImportError as e:
        send({'type': 'unavailable', 'reason': f'{sys.executable} cannot import torch ({e})'})
        return 0
    if a.device == 'cuda' and not torch.cuda.is_available():
        build = f'CUDA {torch.version.cuda}' if torch.version.cuda else 'a CPU-only build'
        send({'type': 'unavailable', 'reason': f'no CUDA device: torch {torch.__version__} ({build}) sees none'})
        return 0
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device == 'cuda':
        # strict: what WebGPU and the CPU engines compute; default: PyTorch's own (cuDNN may use TF32 for convolutions)
        torch.backends.cudnn.allow_tf32 = a.precision == 'default'
        torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.device(a.device)
    facts = {
        'python': platform.python_version(),
        'torch': torch.__version__,
        'device': torch.cuda.get_device_name(device) if a.device == 'cuda' else (platform.processor() or 'cpu'),
        'precision': a.precision if a.device == 'cuda' else 'float32',
        'threads': torch.get_num_threads(),
        'safetensors': SAFETENSORS_IMPL,
    }
    if a.device == 'cuda':
        facts.update({'cuda': torch.version.cuda, 'cudnn': torch.backends.cudnn.version(), 'tf32Convolutions': torch.backends.cudnn.allow_tf32, 'cudnnBenchmark': torch.backends.cudnn.benchmark})
    send({'type': 'hello', **facts})

    model, size = None, 0
    kept = OrderedDict()

    def sync():
        if a.device == 'cuda':
            torch.cuda.synchronize(device)

    while True:
        header, payload = receive()
        if header is None:
            return 0
        op = header.get('op')
        try:
            if op == 'load':
                t0 = time.perf_counter()
                size = int(header['size'])
                net = d2l_nin()
                # strict: every tensor present with its PyTorch name and OIHW shape, and nothing else
                net.load_state_dict(load_file(header['weights']))
                model = net.to(device).eval()
                sync()
                send({'ok': True, 'ms': (time.perf_counter() - t0) * 1000})
            elif op == 'infer':
                if model is None:
                    raise RuntimeError('infer before load')
                n, key = int(header['n']), header['id']
                if payload:
                    x = torch.frombuffer(bytearray(payload), dtype=torch.float32).reshape(n, 1, size, size)
                    if header.get('keep'):
                        kept[key] = x
                        while len(kept) > KEEP_LIMIT:
                            kept.popitem(last=False)
                elif key in kept:
                    x = kept[key]
                    kept.move_to_end(key)
                else:
                    raise RuntimeError(f'no inputs kept under id {key}')
                t0 = time.perf_counter()
                with torch.no_grad():
                    logits = model(x.to(device)).cpu()  # .cpu() waits for the device
                ms = (time.perf_counter() - t0) * 1000
                send({'ok': True, 'ms': ms}, logits.contiguous().numpy().astype('<f4').tobytes())
            elif op == 'stats':
                # ru_maxrss is KiB on Linux
                send({'ok': True, 'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
            else:
                raise ValueError(f'unknown op {op!r}')
        except Exception as e:  # one failed request is reported, and the process keeps serving
            send({'ok': False, 'message': f'{type(e).__name__}: {e}'.split('\n')[0]})


if __name__ == '__main__':
    sys.exit(main())
