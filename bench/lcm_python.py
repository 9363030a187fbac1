#!/usr/bin/python3
"""The LCM's inference step (GRUCell + linear head over [state, inputs]) the way a user would
write it in python3-torch (Debian's package): batched, under torch.no_grad(). Same sizes as
bench/lcm_speed.cpp; with --data DIR it reads the weights and inputs lcm_speed --save DIR
wrote, checks its first step against the C++ kernel's, and times the same tensors.

usage: /usr/bin/python3 bench/lcm_python.py [--rows N] [--steps S] [--hidden H] [--data DIR]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

INPUTS, HEADS = 27, 10  # kLcmInputs, kLcmHeadCount (include/mirror/twins/lcm.hpp)
CONTACT = 8  # kLcmEventCount + kLcmAny: the input saying the day has a contact
# (base, response) head pairs folded on contact days: purchase, visit
RESPONSES = ((0, 8), (1, 9))


def softplus(v):
    return v.clamp_min(0) + torch.log1p(torch.exp(-v.abs()))


def with_response(y, x):
    """P(event) = 1 - (1 - sigmoid(base)) (1 - sigmoid(response))^contact, as a logit."""
    y = y.clone()
    for base, response in RESPONSES:
        log_none = -softplus(y[:, base]) - x[:, CONTACT] * softplus(y[:, response])
        y[:, base] = torch.log(-torch.expm1(log_none)) - log_none
    return y


def read_floats(path, count):
    values = np.fromfile(path, dtype=np.float32)
    if values.size != count:
        sys.exit(f"{path}: expected {count} floats, found {values.size}")
    return torch.from_numpy(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--data", help="folder written by lcm_speed --save")
    args = parser.parse_args()
    rows, hidden = args.rows, args.hidden
    inputs, heads = INPUTS, HEADS
    if args.data:  # the sizes the C++ side was built with
        with open(os.path.join(args.data, "shape.txt")) as shape:
            inputs, heads = (int(v) for v in shape.read().split())

    cell = torch.nn.GRUCell(inputs, hidden)
    head = torch.nn.Linear(hidden + inputs, heads)
    torch.manual_seed(1)
    x = torch.randn(rows, inputs) * 0.3
    if args.data:
        sizes = [3 * hidden * inputs, 3 * hidden * hidden, 3 * hidden, 3 * hidden,
                 heads * (hidden + inputs), heads]
        flat = read_floats(os.path.join(args.data, "weights.f32"), sum(sizes))
        parts = torch.split(flat, sizes)
        with torch.no_grad():
            cell.weight_ih.copy_(parts[0].view(3 * hidden, inputs))
            cell.weight_hh.copy_(parts[1].view(3 * hidden, hidden))
            cell.bias_ih.copy_(parts[2])
            cell.bias_hh.copy_(parts[3])
            head.weight.copy_(parts[4].view(heads, hidden + inputs))
            head.bias.copy_(parts[5])
        x = read_floats(os.path.join(args.data, "inputs.f32"), rows * inputs).view(rows, inputs)
        # The C++ kernel's first step from a blank state: both must compute the same model.
        expected = read_floats(os.path.join(args.data, "first_step.f32"), rows * (hidden + heads))
        expected = expected.view(rows, hidden + heads)
        with torch.no_grad():
            h = cell(x, torch.zeros(rows, hidden))
            y = with_response(head(torch.cat([h, x], 1)), x)
        diff = max((h - expected[:, :hidden]).abs().max().item(),
                   (y - expected[:, hidden:]).abs().max().item())
        print(f"largest difference to the C++ kernel's first step: {diff:.2e}")
        if diff > 1e-4:
            sys.exit("python3-torch and the C++ kernel disagree: not the same model")

    total = rows * args.steps
    for threads in (1, 2):
        torch.set_num_threads(threads)
        h = torch.zeros(rows, hidden)
        start, start_cpu = time.perf_counter(), time.process_time()
        with torch.no_grad():
            for _ in range(args.steps):
                h = cell(x, h)
                y = with_response(head(torch.cat([h, x], 1)), x)
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(f"python3-torch loop, {threads} thread{'s' if threads > 1 else ''}: "
              f"{seconds:.3f} s  {total / seconds:.0f} rows/s  CPU {cpu:.3f} s  {total / cpu:.0f} rows/CPU-s")


if __name__ == "__main__":
    main()
