#!/usr/bin/python3
"""d2l's PyTorch NiN, the reference our TypeScript forward pass is checked against (see parity.test.ts).

Run with a Python that has torch (on Debian: /usr/bin/python3 with python3-torch).

  torch_nin.py forward --weights W.safetensors --case SIZE:IN.f32:OUT.f32 [--case ...]
      loads a safetensors file (written by our TypeScript code) into the d2l model and writes its logits
  torch_nin.py init --seed S --weights-out W.safetensors --case SIZE:IN.f32:OUT.f32 [--case ...]
      builds the model with PyTorch's own initialisation (seeded, see `signal_preserving_init`), saves its
      state_dict as safetensors for our TypeScript code to load, and writes its logits

Inputs and outputs are raw little-endian float32: IN holds N x 1 x SIZE x SIZE values in [0,1] (NCHW; with one
channel that is the same memory as our NHWC), OUT receives N x 10 logits. A JSON summary goes to stdout.

The model is built exactly as in d2l (chapter "Network in Network", PyTorch tab) and run in eval mode, so
Dropout is the identity. When the `safetensors` package is installed its torch API reads and writes the file;
otherwise a minimal reader/writer below does (the format is an 8-byte little-endian header length, a JSON
header, then the raw tensor bytes).
"""
import argparse
import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def d2l_nin():
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        # There are 10 label classes
        nin_block(384, 10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        # Transform the four-dimensional output into two-dimensional output with a shape of (batch size, 10)
        nn.Flatten())


def signal_preserving_init(model):
    """PyTorch's default init, then `kaiming_normal_` on the conv weights (biases keep PyTorch's default).

    With the default or d2l's Xavier init, twelve conv+ReLU layers wash the input out: two different images get
    logits equal to ~1e-5, so comparing logits at 1e-4 would check almost nothing. He scaling keeps the signal.
    """
    for layer in model.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, nonlinearity='relu')


# --- safetensors: the real package when present, a minimal float32/float16 implementation otherwise ---

try:
    import safetensors.torch as _st  # type: ignore

    SAFETENSORS_IMPL = 'safetensors ' + __import__('safetensors').__version__

    def load_file(path):
        return _st.load_file(path)

    def save_file(tensors, path):
        _st.save_file(tensors, path, metadata={'format': 'pt'})

except ImportError:
    SAFETENSORS_IMPL = 'minimal reader/writer in torch_nin.py'
    _DTYPES = {'F32': np.dtype('<f4'), 'F16': np.dtype('<f2')}

    def load_file(path):
        with open(path, 'rb') as f:
            raw = f.read()
        (header_len,) = struct.unpack('<Q', raw[:8])
        header = json.loads(raw[8:8 + header_len].decode('utf-8'))
        data = raw[8 + header_len:]
        out = {}
        for name, info in header.items():
            if name == '__metadata__':
                continue  # our manifest and the `format` hint: nothing PyTorch needs
            if info['dtype'] not in _DTYPES:
                raise ValueError(f'{name}: dtype {info["dtype"]} is not supported by the minimal reader')
            begin, end = info['data_offsets']
            array = np.frombuffer(data[begin:end], dtype=_DTYPES[info['dtype']]).reshape(info['shape'])
            out[name] = torch.from_numpy(array.astype(np.float32))
        return out

    def save_file(tensors, path):
        header, chunks, offset = {'__metadata__': {'format': 'pt'}}, [], 0
        for name, tensor in tensors.items():
            array = tensor.detach().cpu().contiguous().numpy().astype('<f4')
            chunks.append(array.tobytes())
            header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + array.nbytes]}
            offset += array.nbytes
        encoded = json.dumps(header, separators=(',', ':')).encode('utf-8')
        encoded += b' ' * (-len(encoded) % 8)  # the reference writer pads the header to 8 bytes with spaces
        with open(path, 'wb') as f:
            f.write(struct.pack('<Q', len(encoded)))
            f.write(encoded)
            for chunk in chunks:
                f.write(chunk)


def parse_case(text):
    size, src, dst = text.split(':', 2)
    return int(size), src, dst


@torch.no_grad()
def run_cases(model, cases):
    summary = []
    for size, src, dst in cases:
        x = torch.from_numpy(np.fromfile(src, dtype='<f4').reshape(-1, 1, size, size).copy())
        logits = model(x)
        logits.numpy().astype('<f4').tofile(dst)
        summary.append({'size': size, 'batch': x.shape[0], 'logits_abs_max': float(logits.abs().max())})
    return summary


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    fwd = sub.add_parser('forward', help='load a safetensors state_dict, write logits')
    fwd.add_argument('--weights', required=True)
    ini = sub.add_parser('init', help="PyTorch's own init (seeded): save the state_dict, write logits")
    ini.add_argument('--seed', type=int, default=0)
    ini.add_argument('--weights-out', required=True)
    for p in (fwd, ini):
        p.add_argument('--case', action='append', type=parse_case, default=[], metavar='SIZE:IN:OUT')
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed if args.command == 'init' else 0)
    model = d2l_nin()
    if args.command == 'forward':
        # strict: every tensor must be present with its PyTorch name and OIHW shape, and nothing else
        model.load_state_dict(load_file(args.weights))
    else:
        signal_preserving_init(model)
        save_file(model.state_dict(), args.weights_out)
    model.eval()
    print(json.dumps({
        'torch': torch.__version__,
        'safetensors': SAFETENSORS_IMPL,
        'cases': run_cases(model, args.case),
    }))


if __name__ == '__main__':
    main(sys.argv[1:])
