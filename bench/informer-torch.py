"""Times the original PyTorch Informer (zhouhaoyi/Informer2020) on the CPU, one thread, with the
config of bench/informer.ts, so that bench can report our wasm time as a ratio of it.

    python3 bench/informer-torch.py --informer-dir /path/to/Informer2020 --lengths 96,192 --repeats 3

The checkout is only imported from (`models.model.Informer`), never copied here. Prints one JSON
object on stdout: {"torch": version, "threads": 1, "results": [{"length", "prob", "full"}]} with
{"stepMs", "inferenceMs"} per attention, the median of `repeats` after one warm-up.
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone

CHANNELS = 7
HORIZON = 24
BATCH_STARTS = (0, 4)


def fail(message):
    print(f"informer-torch: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--informer-dir", default=os.environ.get("INFORMER2020_DIR"), help="Informer2020 checkout (default: $INFORMER2020_DIR)")
    parser.add_argument("--lengths", default="96,192,384,768,1536")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="only import torch and the model, print the versions")
    args = parser.parse_args()
    if not args.informer_dir:
        fail("no Informer2020 checkout: pass --informer-dir or set INFORMER2020_DIR")
    if not os.path.isfile(os.path.join(args.informer_dir, "models", "model.py")):
        fail(f"{args.informer_dir} has no models/model.py; expected a zhouhaoyi/Informer2020 checkout")
    try:
        args.lengths = [int(value) for value in args.lengths.split(",")]
    except ValueError:
        fail(f"--lengths must be comma-separated integers, got {args.lengths!r}")
    if any(length < 2 or length % 2 for length in args.lengths):
        fail(f"--lengths must be even and >= 2 (label = L/2), got {args.lengths}")
    if args.repeats < 1:
        fail(f"--repeats must be >= 1, got {args.repeats}")
    return args


def series(torch, rows):
    """The same synthetic data as bench/informer.ts: sin(i/13) values, hourly timeF marks from 2020-01-01 UTC."""
    values = torch.sin(torch.arange(rows * CHANNELS, dtype=torch.float64) / 13).float().reshape(rows, CHANNELS)
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    marks = []
    for row in range(rows):
        date = start + timedelta(hours=row)
        # utils/timefeatures.py order for 'h': hour, weekday (Monday 0), day of month, day of year.
        marks.append([date.hour / 23 - 0.5, date.weekday() / 6 - 0.5, (date.day - 1) / 30 - 0.5, (date.timetuple().tm_yday - 1) / 365 - 0.5])
    return values, torch.tensor(marks, dtype=torch.float32)


def batch(torch, length):
    """Windows at rows 0 and 4, decoder input = label_len known steps then HORIZON zeros (padding=0)."""
    label = length // 2
    values, marks = series(torch, length + HORIZON + 8)
    x_enc, x_mark_enc, x_dec, x_mark_dec, target = [], [], [], [], []
    for start in BATCH_STARTS:
        end = start + length
        x_enc.append(values[start:end])
        x_mark_enc.append(marks[start:end])
        x_dec.append(torch.cat([values[end - label:end], torch.zeros(HORIZON, CHANNELS)]))
        x_mark_dec.append(marks[end - label:end + HORIZON])
        target.append(values[end:end + HORIZON])
    return [torch.stack(part) for part in (x_enc, x_mark_enc, x_dec, x_mark_dec, target)]


def measure(torch, Informer, attention, length, repeats):
    torch.manual_seed(0)
    model = Informer(
        enc_in=CHANNELS, dec_in=CHANNELS, c_out=CHANNELS, seq_len=length, label_len=length // 2, out_len=HORIZON,
        factor=5, d_model=64, n_heads=4, e_layers=2, d_layers=1, d_ff=128, dropout=0.05, attn=attention,
        embed="timeF", freq="h", activation="gelu", output_attention=False, distil=True, mix=True,
        device=torch.device("cpu"),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x_enc, x_mark_enc, x_dec, x_mark_dec, target = batch(torch, length)

    def step():
        started = time.perf_counter()
        model.train()
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x_enc, x_mark_enc, x_dec, x_mark_dec), target)
        loss.backward()
        # bench/informer.ts clips the global gradient norm at 1 in its Adam step; do the same work here.
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        loss.item()
        return (time.perf_counter() - started) * 1000

    def infer():
        started = time.perf_counter()
        model.eval()
        with torch.no_grad():
            model(x_enc, x_mark_enc, x_dec, x_mark_dec).sum().item()
        return (time.perf_counter() - started) * 1000

    step()
    infer()
    step_times, infer_times = [], []
    for _ in range(repeats):
        step_times.append(step())
        infer_times.append(infer())
    median = lambda values: sorted(values)[len(values) // 2]  # same pick as bench/informer.ts
    return {"stepMs": median(step_times), "inferenceMs": median(infer_times)}


def main():
    args = parse_args()
    try:
        import torch
    except ImportError as error:
        fail(f"{sys.executable} cannot import torch ({error}); on Debian: apt-get install python3-torch, and run the "
             "system python3 (under pyenv: PYENV_VERSION=system)")
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only settable before the first parallel work; one intra-op thread is what matters here
    sys.path.insert(0, os.path.abspath(args.informer_dir))
    try:
        from models.model import Informer
    except ImportError as error:
        fail(f"cannot import models.model.Informer from {args.informer_dir} ({error})")
    if args.check:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "python": sys.executable}))
        return
    results = []
    for length in args.lengths:
        results.append({
            "length": length,
            "prob": measure(torch, Informer, "prob", length, args.repeats),
            "full": measure(torch, Informer, "full", length, args.repeats),
        })
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
