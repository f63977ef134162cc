"""Artifact names shared by the parent run's driver process and ``AutoMLRun``."""

INPUTS = "automl_driver/inputs.pkl"
MODEL = "outputs/model.pkl"
GUARDRAILS = "outputs/data_guardrails.json"
ONNX_MODEL = "outputs/model.onnx"
