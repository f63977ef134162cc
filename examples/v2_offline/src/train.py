"""Fit a ridge regression on the MLTable's CSV and log its test RMSE with MLflow."""

import argparse
from pathlib import Path

import joblib
import mlflow
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--alpha", type=float, default=1.0)
args = parser.parse_args()

frame = pd.read_csv(next(Path(args.data).glob("*.csv")))
train, test = train_test_split(frame, test_size=0.25, random_state=0)
model = Ridge(alpha=args.alpha).fit(train.drop(columns="y"), train["y"])
with mlflow.start_run():
    mlflow.log_param("alpha", args.alpha)
    mlflow.log_metric("rmse", root_mean_squared_error(test["y"], model.predict(test.drop(columns="y"))))
Path("outputs").mkdir(exist_ok=True)
joblib.dump(model, "outputs/model.pkl")
