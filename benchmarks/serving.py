"""Scoring-server throughput and latency on loopback, for the model the duel deployed.

Serves the ONNX model behind the service the flow deployed (``housing-price-<checkout>`` in the
emulator workspace under ``DUEL_EMULATOR_HOME``; run ``python -m flows.cli run --quick`` first) with the
real server (``python -m emulator.serving``, training/score.py, key auth on), sends rows drawn
from the fixed split's test half, and measures, against targets of p50 <= 2 ms and >= 1,500
requests/s on 2 cores:

* single-row latency (p50, p99) through httpx, a real HTTP client, and through a bare-socket
  client (the server's share), sequential requests over one keep-alive connection;
* requests/s with several concurrent keep-alive connections (the bare-socket client, so the
  load generator takes little of the two cores the server also needs);
* rows/s for batches of 1,000 rows, beside a plain FastAPI + onnxruntime app serving the same
  file (the baseline a batch must at least match).

    .venv/bin/python benchmarks/serving.py [--model PATH.onnx | --lightgbm] [--workers N]

``--model`` serves a given file; ``--lightgbm`` trains and exports a LightGBM pipeline instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
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

# The baseline: what one would write without the emulator's contract (no auth, no schema errors).
_PLAIN_APP = """
import numpy as np, onnxruntime as ort
from fastapi import FastAPI, Request

options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession({path!r}, options, providers=["CPUExecutionProvider"])
app = FastAPI()


@app.post("/score")
async def score(request: Request):
    rows = (await request.json())["data"]
    numeric = np.array([[np.nan if v is None else v for v in row[:8]] for row in rows], dtype=np.float32)
    category = np.array([[row[8]] for row in rows], dtype=object)
    out = session.run(None, {{"numeric": numeric, "ocean_proximity": category}})[0]
    return {{"predictions": out.reshape(-1).tolist()}}
"""


def deployed_model(target: Path) -> str:
    """Copy the ONNX file of the service the flow deployed to ``target``; returns its model id."""
    from backends import open_backend
    from emulator.core import Model, Webservice
    from emulator.core.workspace import emulator_home
    from emulator.exceptions import WebserviceException
    from tasks.settings import DuelSettings

    settings = DuelSettings()
    workspace = open_backend(settings).workspace
    try:
        service = Webservice(workspace, settings.service_name)
    except WebserviceException:
        raise SystemExit(
            f"no service {settings.service_name} in the workspace under {emulator_home()}: run the duel "
            "first (make demo, or python -m flows.cli run --quick), or pass --model or --lightgbm"
        ) from None
    (staged,) = service.serialize()["models"]
    model = Model(workspace, name=staged["name"], version=staged["version"])
    with tempfile.TemporaryDirectory() as folder:
        downloaded = Path(model.download(target_dir=folder, exist_ok=True))
        onnx_file = downloaded if downloaded.is_file() else next(downloaded.rglob("*.onnx"))
        target.write_bytes(onnx_file.read_bytes())
    return f"{staged['id']} ({model.tags.get('source_algorithm', '?')}) deployed as {settings.service_name}"


def test_rows() -> pd.DataFrame:
    """The feature columns of the fixed split's test half, missing values as None."""
    from tasks.housing_csv import load_housing
    from training.split import split_frame

    _, test, _ = split_frame(load_housing(os.environ.get("DUEL_DATA")), test_size=0.2, seed=42)
    features = test[list(FEATURE_COLUMNS)]
    return features.astype(object).where(features.notna(), None)


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


def single_row_latency(url: str, bodies: list[bytes], count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    timings = []
    with httpx.Client(headers=headers) as client:
        for body in bodies[:50]:
            client.post(url, content=body)
        for i in range(count):
            started = time.perf_counter()
            response = client.post(url, content=bodies[i % len(bodies)])
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return timings


def _request(port: int, body: bytes) -> bytes:
    head = (
        f"POST /score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    port: int, requests: list[bytes], until: float, timings: list[float] | None = None, offset: int = 0
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        writer.write(requests[(offset + done) % len(requests)])
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


def raw_latency(port: int, bodies: list[bytes], seconds: float) -> list[float]:
    """Sequential requests on one connection with the bare-socket client: the server's share of latency."""
    timings: list[float] = []
    requests = [_request(port, body) for body in bodies]
    asyncio.run(_connection(port, requests, time.perf_counter() + seconds, timings))
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


async def _throughput(port: int, bodies: list[bytes], connections: int, seconds: float) -> tuple[int, float]:
    requests = [_request(port, body) for body in bodies]
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(_connection(port, requests, until, offset=i * 97) for i in range(connections))
    )
    return sum(counts), time.perf_counter() - started


def batch_rows_per_second(url: str, body: bytes, rows: int, count: int, key: str | None = KEY) -> float:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(headers=headers, timeout=60) as client:
        assert client.post(url, content=body).status_code == 200
        started = time.perf_counter()
        for _ in range(count):
            assert client.post(url, content=body).status_code == 200
        return rows * count / (time.perf_counter() - started)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def plain_app_rows_per_second(model: Path, body: bytes, rows: int, count: int, folder: Path) -> float:
    """The same batches against a plain FastAPI + onnxruntime app (uvicorn, one worker)."""
    (folder / "plain_app.py").write_text(_PLAIN_APP.format(path=str(model)))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "plain_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=folder,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _answers(f"http://127.0.0.1:{port}/docs"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the plain FastAPI app did not start")
            time.sleep(0.2)
        return batch_rows_per_second(f"http://127.0.0.1:{port}/score", body, rows, count, key=None)
    finally:
        stop_process(process.pid)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", type=Path, help="an ONNX model on the schema's input contract")
    which.add_argument("--lightgbm", action="store_true", help="train and serve a LightGBM pipeline")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=2000, help="sequential single-row requests timed")
    args = parser.parse_args()
    rows = test_rows()
    with tempfile.TemporaryDirectory(prefix="duel-bench-") as tmp:
        folder = Path(tmp)
        model_dir = folder / "azureml-models" / "benchmark" / "1"
        model_dir.mkdir(parents=True)
        model_file = model_dir / "model.onnx"
        if args.model:
            model_file.write_bytes(args.model.read_bytes())
            served = str(args.model)
        elif args.lightgbm:
            data = Path(
                os.environ.get(
                    "DUEL_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "housing.csv"
                )
            )
            lightgbm_onnx(data, model_file)
            served = "a LightGBM pipeline trained here"
        else:
            served = deployed_model(model_file)
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
            singles = [json.dumps({"data": [row]}).encode() for row in rows.values.tolist()]
            batch = json.dumps({"data": rows.iloc[:1000].values.tolist()}).encode()
            latency = single_row_latency(base + "/score", singles, args.requests)
            lean = raw_latency(port, singles, 3.0)
            cpu_before = server_cpu_seconds(process.pid)
            count, elapsed = asyncio.run(_throughput(port, singles, args.connections, args.seconds))
            cpu_per_request = (server_cpu_seconds(process.pid) - cpu_before) / count
            rps = count / elapsed
            batch_rows = batch_rows_per_second(base + "/score", batch, 1000, 50)
        finally:
            stop_process(process.pid)
        plain_rows = plain_app_rows_per_second(model_file, batch, 1000, 50, folder)
    p50, p99 = _percentile(latency, 50), _percentile(latency, 99)
    print(f"model: {served}; {len(singles):,} distinct test rows")
    print(f"cores: {os.cpu_count()}  workers: {args.workers}  connections: {args.connections}")
    print(
        f"single row latency (httpx, keep-alive): p50 {p50:.3f} ms  p99 {p99:.3f} ms  mean {statistics.mean(latency):.3f} ms"
    )
    print(
        f"single row latency (bare socket, keep-alive): p50 {_percentile(lean, 50):.3f} ms  "
        f"p99 {_percentile(lean, 99):.3f} ms"
    )
    print(f"single row throughput: {rps:,.0f} requests/s")
    print(
        f"server CPU per single-row request: {cpu_per_request * 1e6:.0f} us "
        f"(capacity {1 / cpu_per_request:,.0f} requests/s per fully available core)"
    )
    print(
        f"batches of 1,000 rows: {batch_rows:,.0f} rows/s; plain FastAPI + onnxruntime app: {plain_rows:,.0f} rows/s "
        f"({batch_rows / plain_rows:.2f}x, target >= 1x: {'met' if batch_rows >= plain_rows else 'MISSED'})"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"targets: p50 <= 2 ms {'met' if _percentile(lean, 50) <= 2 else 'MISSED'} with the bare socket, "
        f"{'met' if p50 <= 2 else 'MISSED'} through httpx; "
        f">= 1,500 requests/s {'met' if rps >= 1500 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
