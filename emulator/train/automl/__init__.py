"""The emulator's ``azureml.train.automl``: a real local AutoML for regression.

``Experiment.submit(AutoMLConfig(...))`` starts a parent run whose own process featurizes the
data, runs a cost-aware search (each iteration a child run in its own process), closes with
VotingEnsemble and StackEnsemble iterations, and explains the best model.
"""

# Registers the export of the emulator's own estimators (featurizer, ensembles) with onnx_export.
from emulator.train.automl import _onnx  # noqa: F401
from emulator.train.automl.config import AutoMLConfig
from emulator.train.automl.featurization import FeaturizationConfig
from emulator.train.automl.run import AutoMLRun

__all__ = ["AutoMLConfig", "AutoMLRun", "FeaturizationConfig"]
