"""Artifact names shared by the parent run's driver process and ``AutoMLRun``."""

INPUTS = "automl_driver/inputs.pkl"
MODEL = "outputs/model.pkl"
GUARDRAILS = "outputs/data_guardrails.json"
ONNX_MODEL = "outputs/model.onnx"
# Azure's constants.MODEL_RESOURCE_PATH_ONNX: the graph's input layout, read to feed it.
ONNX_RESOURCE = "outputs/model_onnx.json"
