#!/usr/bin/env python3
"""The same NiN under the GPU machine's own PyTorch, timed the way gpu-kit/measure.ts times the TypeScript stack.

The model is d2l's `nn.Sequential` NiN (imported from test/parity/torch_nin.py, the parity reference), trained
with d2l's loop: forward, `nn.CrossEntropyLoss`, backward, `torch.optim.SGD` step, on device-resident random
batches, reading each step's loss (`loss.item()`) as a loop that logs it does. Inference is `model.eval()` under
`torch.no_grad()`, copying the logits back each time. Both are measured with PyTorch's defaults (cuDNN may use
TF32 for convolutions) and with strict float32 (TF32 off), which is what WebGPU computes in.

  torch_bench.py [--device cuda] [--size 224] [--batch 128] [--infer 1,32,128] [--train-seconds 8] [--out F.json]
"""
import argparse
import datetime
import json
import os
import platform
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'parity'))
from torch_nin import d2l_nin  # noqa: E402


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def time_loop(step, warmup, min_iterations, min_seconds, max_seconds):
    for _ in range(warmup):
        step()
    times = []
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
        if (len(times) >= min_iterations and elapsed >= min_seconds) or elapsed >= max_seconds:
            break
    seconds = time.perf_counter() - start
    return {'iterations': len(times), 'seconds': seconds, 'medianMs': sorted(times)[len(times) // 2] * 1000}


def set_tf32(enabled):
    torch.backends.cudnn.allow_tf32 = enabled
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default; NiN has no matmul outside its convolutions


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cuda')
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--infer', default='1,32,128')
    p.add_argument('--train-seconds', type=float, default=8)
    p.add_argument('--infer-seconds', type=float, default=3)
    p.add_argument('--out')
    a = p.parse_args()
    device = torch.device(a.device)
    result = {
        'kind': 'nin-torch-bench',
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(),
        'environment': {
            'python': platform.python_version(),
            'torch': torch.__version__,
            'cuda': torch.version.cuda,
            'cudnn': torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
            'device': torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or 'cpu',
            'cudnnBenchmark': torch.backends.cudnn.benchmark,
        },
        'model': {'parameters': None, 'size': a.size},
        'train': [],
        'inference': [],
    }

    def save():
        if a.out:
            with open(a.out, 'w') as f:
                json.dump(result, f, indent=2)

    torch.manual_seed(0)
    model = d2l_nin().to(device)
    result['model']['parameters'] = sum(t.numel() for t in model.parameters())
    x = torch.rand(a.batch, 1, a.size, a.size, device=device)
    y = torch.randint(0, 10, (a.batch,), device=device)
    loss_fn = nn.CrossEntropyLoss()
    for precision, tf32 in (('default (TF32 convolutions allowed)', True), ('float32 (TF32 off)', False)):
        if device.type == 'cuda':
            set_tf32(tf32)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        model.train()
        last = {}

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            last['loss'] = loss.item()

        t = time_loop(step, 5, 10, a.train_seconds, a.train_seconds * 3)
        result['train'].append({'precision': precision, 'batch': a.batch, **t, 'imagesPerSecond': t['iterations'] * a.batch / t['seconds'], 'lastLoss': last['loss']})
        save()
        print(f"[torch] train {precision}: {t['iterations'] * a.batch / t['seconds']:.1f} img/s (median step {t['medianMs']:.2f} ms)", file=sys.stderr, flush=True)
        model.eval()
        for batch in [int(b) for b in a.infer.split(',') if b]:
            xb = torch.rand(batch, 1, a.size, a.size, device=device)

            def infer():
                with torch.no_grad():
                    model(xb).cpu()

            t = time_loop(infer, 3, 10, a.infer_seconds, a.infer_seconds * 3)
            result['inference'].append({'precision': precision, 'batch': batch, **t, 'imagesPerSecond': t['iterations'] * batch / t['seconds']})
            save()
            print(f"[torch] infer {precision} batch {batch}: {t['iterations'] * batch / t['seconds']:.1f} img/s (median {t['medianMs']:.2f} ms)", file=sys.stderr, flush=True)
    if not a.out:
        json.dump(result, sys.stdout, indent=2)


if __name__ == '__main__':
    main()
