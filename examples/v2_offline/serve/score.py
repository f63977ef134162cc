"""The online deployment's entry script: the registered ridge model on JSON rows."""

import json
import os
from pathlib import Path

import joblib
import pandas as pd

model = None


def init():
    global model
    model = joblib.load(next(Path(os.environ["AZUREML_MODEL_DIR"]).rglob("*.pkl")))


def run(raw_data):
    return {"predictions": [float(v) for v in model.predict(pd.DataFrame(json.loads(raw_data)["data"]))]}
