"""Scoring-server throughput and latency on loopback.

Starts the real server (``python -m emulator.serving``, training/score.py, key auth on) and
measures, against targets of p50 <= 2 ms and >= 1,500 requests/s on 2 cores:

* single-row latency (p50, p99) over one persistent keep-alive connection, sequential requests;
* requests/s with several concurrent keep-alive connections (a lean asyncio HTTP/1.1 client, so the
  load generator takes little of the two cores the server also needs);
* rows/s for batches of 1,000 rows.

    .venv/bin/python benchmarks/serving.py [--model PATH.onnx] [--workers N] [--seconds S]

Without ``--model`` it trains a LightGBM pipeline on the housing file (``DUEL_DATA``) and exports
it with skl2onnx, the shape of model the duel deploys.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

import training.score
from emulator.serving.auth import write_keys
from emulator.serving.config import ServerConfig
from emulator.serving.process import free_port, start_server, stop_process, wait_until_healthy
from training.schema import CATEGORICAL_COLUMN, FEATURE_COLUMNS, LABEL, NUMERIC_COLUMNS

KEY = "benchmark-key"


def lightgbm_onnx(data: Path, target: Path) -> None:
    from lightgbm import LGBMRegressor
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from skl2onnx import convert_sklearn, update_registered_converter
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType
    from skl2onnx.common.shape_calculator import calculate_linear_regressor_output_shapes
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    update_registered_converter(
        LGBMRegressor, "LightGbmLGBMRegressor", calculate_linear_regressor_output_shapes, convert_lightgbm
    )
    frame = pd.read_csv(data)
    n = len(NUMERIC_COLUMNS)
    columns = ColumnTransformer(
        [
            ("numeric", SimpleImputer(), list(range(n))),
            ("category", OneHotEncoder(handle_unknown="ignore"), [n]),
        ]
    )
    model = make_pipeline(columns, LGBMRegressor(n_estimators=200, num_threads=1, verbose=-1))
    model.fit(frame[list(FEATURE_COLUMNS)].to_numpy(object), frame[LABEL])
    inputs = [("numeric", FloatTensorType([None, n])), (CATEGORICAL_COLUMN, StringTensorType([None, 1]))]
    graph = convert_sklearn(model, initial_types=inputs, target_opset={"": 18, "ai.onnx.ml": 3})
    target.write_bytes(graph.SerializeToString())


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def single_row_latency(url: str, body: bytes, count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    timings = []
    with httpx.Client(headers=headers) as client:
        for _ in range(50):
            client.post(url, content=body)
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(url, content=body)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return timings


def _request(port: int, body: bytes) -> bytes:
    head = (
        f"POST /score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(port: int, request: bytes, until: float, timings: list[float] | None = None) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode())
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        if timings is not None:
            timings.append((time.perf_counter() - started) * 1000)
        done += 1
    writer.close()
    return done


def raw_latency(port: int, body: bytes, seconds: float) -> list[float]:
    """Sequential requests on one connection with the lean client: the server's share of latency."""
    timings: list[float] = []
    asyncio.run(_connection(port, _request(port, body), time.perf_counter() + seconds, timings))
    return timings[50:]


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server's process group: the server and its workers."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid:  # process group id
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def _throughput(port: int, body: bytes, connections: int, seconds: float) -> tuple[int, float]:
    request = _request(port, body)
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    counts = await asyncio.gather(*(_connection(port, request, until) for _ in range(connections)))
    return sum(counts), time.perf_counter() - started


def batch_rows_per_second(url: str, body: bytes, rows: int, count: int) -> float:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(headers=headers, timeout=60) as client:
        client.post(url, content=body)
        started = time.perf_counter()
        for _ in range(count):
            assert client.post(url, content=body).status_code == 200
        return rows * count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="an ONNX model on the schema's input contract")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=2000, help="sequential single-row requests timed")
    args = parser.parse_args()
    data = Path(
        os.environ.get("DUEL_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "housing.csv")
    )
    frame = pd.read_csv(data)
    with tempfile.TemporaryDirectory(prefix="duel-bench-") as tmp:
        folder = Path(tmp)
        model_dir = folder / "azureml-models" / "benchmark" / "1"
        model_dir.mkdir(parents=True)
        if args.model:
            (model_dir / "model.onnx").write_bytes(args.model.read_bytes())
        else:
            lightgbm_onnx(data, model_dir / "model.onnx")
        write_keys(folder / "keys.json", KEY, KEY + "-2")
        port = free_port()
        config = ServerConfig(Path(training.score.__file__), folder / "keys.json")
        process = start_server(
            config, model_dir=model_dir, port=port, log_path=folder / "server.log", workers=args.workers
        )
        base = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_healthy(base, lambda: process.poll() is None, timeout=60):
                raise SystemExit((folder / "server.log").read_text())
            sample = frame[list(FEATURE_COLUMNS)].astype(object).where(frame.notna(), None)
            one = json.dumps({"data": sample.iloc[:1].values.tolist()}).encode()
            batch = json.dumps({"data": sample.iloc[:1000].values.tolist()}).encode()
            latency = single_row_latency(base + "/score", one, args.requests)
            lean = raw_latency(port, one, 3.0)
            cpu_before = server_cpu_seconds(process.pid)
            count, elapsed = asyncio.run(_throughput(port, one, args.connections, args.seconds))
            cpu_per_request = (server_cpu_seconds(process.pid) - cpu_before) / count
            rps = count / elapsed
            rows = batch_rows_per_second(base + "/score", batch, 1000, 50)
        finally:
            stop_process(process.pid)
    p50, p99 = _percentile(latency, 50), _percentile(latency, 99)
    print(f"cores: {os.cpu_count()}  workers: {args.workers}  connections: {args.connections}")
    print(
        f"single row latency (httpx, keep-alive): p50 {p50:.3f} ms  p99 {p99:.3f} ms  mean {statistics.mean(latency):.3f} ms"
    )
    print(
        f"single row latency (lean client, keep-alive): p50 {_percentile(lean, 50):.3f} ms  "
        f"p99 {_percentile(lean, 99):.3f} ms"
    )
    print(f"single row throughput: {rps:,.0f} requests/s")
    print(
        f"server CPU per single-row request: {cpu_per_request * 1e6:.0f} us "
        f"(capacity {1 / cpu_per_request:,.0f} requests/s per fully available core)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    print(f"batches of 1,000 rows: {rows:,.0f} rows/s")
    print(
        f"targets: p50 <= 2 ms {'met' if _percentile(lean, 50) <= 2 else 'MISSED'} with the lean client, "
        f"{'met' if p50 <= 2 else 'MISSED'} through httpx; "
        f">= 1,500 requests/s {'met' if rps >= 1500 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
