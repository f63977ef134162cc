"""A plain Azure ML SDK v2 script: a command job that logs with MLflow, a sweep over it, an AutoML
regression job, the best trial's model registered and served from a managed online endpoint.

It runs unchanged on Azure (``az login``; a config.json of your workspace) and offline on the
emulator after ``eval "$(emulator env --v2)"``. Run it from this folder.
"""

import json
import time
from pathlib import Path

import mlflow
import numpy as np
from azure.ai.ml import Input, MLClient, automl, command
from azure.ai.ml.entities import (
    CodeConfiguration,
    Data,
    ManagedOnlineDeployment,
    ManagedOnlineEndpoint,
    Model,
)
from azure.ai.ml.sweep import BanditPolicy, Choice
from azure.identity import DefaultAzureCredential

ENVIRONMENT = "azureml:AzureML-sklearn-1.5@latest"
COMPUTE = "cpu-cluster"


def wait(ml_client, name):
    while (job := ml_client.jobs.get(name)).status not in ("Completed", "Failed", "Canceled"):
        time.sleep(2)
    print(f"{name}: {job.status}")
    assert job.status == "Completed", job.status
    return job


ml_client = MLClient.from_config(DefaultAzureCredential())
mlflow.set_tracking_uri(ml_client.workspaces.get(ml_client.workspace_name).mlflow_tracking_uri)

# Data: y = 3a - 2b + noise, as an MLTable data asset.
folder = Path("data")
folder.mkdir(exist_ok=True)
rng = np.random.default_rng(0)
a, b = rng.normal(size=300), rng.normal(size=300)
rows = "\n".join(
    f"{x:.4f},{z:.4f},{3 * x - 2 * z + rng.normal(scale=0.1):.4f}" for x, z in zip(a, b, strict=True)
)
(folder / "table.csv").write_text("a,b,y\n" + rows + "\n")
(folder / "MLTable").write_text(
    "paths:\n  - file: ./table.csv\ntransformations:\n  - read_delimited:\n      delimiter: ','\n"
)
data = ml_client.data.create_or_update(Data(name="lines", path=str(folder), type="mltable"))
table = Input(type="mltable", path=f"azureml:lines:{data.version}")

trial = command(
    code="./src",
    command="python train.py --data ${{inputs.data}} --alpha ${{inputs.alpha}}",
    inputs={"data": table, "alpha": 1.0},
    environment=ENVIRONMENT,
    compute=COMPUTE,
    experiment_name="v2-offline",
)
single = wait(ml_client, ml_client.jobs.create_or_update(trial).name)
print("command job rmse:", mlflow.get_run(single.name).data.metrics["rmse"])

sweep = trial(alpha=Choice([0.01, 1.0, 100.0])).sweep(
    sampling_algorithm="grid",
    primary_metric="rmse",
    goal="Minimize",
    compute=COMPUTE,
    early_termination_policy=BanditPolicy(evaluation_interval=1, slack_factor=0.5),
)
sweep.set_limits(max_total_trials=3, max_concurrent_trials=2, timeout=1800)
sweep.experiment_name = "v2-offline"
swept = wait(ml_client, ml_client.jobs.create_or_update(sweep).name)
best = swept.properties["best_child_run_id"]
print("best trial:", best, mlflow.get_run(best).data.params)

regression = automl.regression(
    compute=COMPUTE,
    experiment_name="v2-offline",
    training_data=table,
    target_column_name="y",
    primary_metric="normalized_root_mean_squared_error",
)
regression.set_limits(timeout_minutes=15, max_trials=2, max_concurrent_trials=1)
regression.set_training(allowed_training_algorithms=["RandomForest"])
automl_job = wait(ml_client, ml_client.jobs.create_or_update(regression).name)
print("AutoML best child:", automl_job.tags["automl_best_child_run_id"])

model = ml_client.models.create_or_update(
    Model(
        name="lines-ridge",
        type="custom_model",
        path=f"azureml://jobs/{best}/outputs/artifacts/paths/outputs/model.pkl",
    )
)
endpoint = ManagedOnlineEndpoint(name="lines-endpoint", auth_mode="key")
ml_client.online_endpoints.begin_create_or_update(endpoint).result()
ml_client.online_deployments.begin_create_or_update(
    ManagedOnlineDeployment(
        name="blue",
        endpoint_name=endpoint.name,
        model=f"azureml:{model.name}:{model.version}",
        environment=ENVIRONMENT,
        code_configuration=CodeConfiguration(code="./serve", scoring_script="score.py"),
        instance_type="Standard_DS3_v2",
        instance_count=1,
    )
).result()
endpoint.traffic = {"blue": 100}
ml_client.online_endpoints.begin_create_or_update(endpoint).result()
Path("request.json").write_text(json.dumps({"data": [{"a": 1.0, "b": 0.5}]}))
answer = json.loads(
    ml_client.online_endpoints.invoke(endpoint_name=endpoint.name, request_file="request.json")
)
print("prediction for a=1, b=0.5:", answer["predictions"][0])
ml_client.online_endpoints.begin_delete(name=endpoint.name).result()
