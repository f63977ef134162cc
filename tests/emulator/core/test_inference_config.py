"""``InferenceConfig`` keeps the serving environment, and its recorded form (on the service) names it."""

from __future__ import annotations

from pathlib import Path

from emulator.core import Environment
from emulator.core.model import InferenceConfig

TRAINING = Path(__file__).resolve().parents[3] / "training"


def test_the_recorded_form_carries_the_environment_definition(tmp_path):
    spec = tmp_path / "serving.yml"
    spec.write_text(
        "name: duel-serving\ndependencies:\n  - python=3.11\n  - pip:\n      - onnxruntime==1.31.1\n"
    )
    environment = Environment.from_conda_specification("duel-serving", str(spec))
    recorded = InferenceConfig("score.py", source_directory=str(TRAINING), environment=environment)._to_dict()
    assert recorded["environment"]["name"] == "duel-serving"
    assert (
        "onnxruntime==1.31.1"
        in recorded["environment"]["python"]["condaDependencies"]["dependencies"][-1]["pip"]
    )
    assert InferenceConfig("score.py", source_directory=str(TRAINING))._to_dict()["environment"] is None
