"""The HyperDrive contestant's code, uploaded to the cluster as one folder (its modules also import
each other as siblings), and the scoring script the service runs from the same folder."""

from pathlib import Path

# The folder Azure ML uploads: ScriptRunConfig's and InferenceConfig's source_directory.
SOURCE_DIRECTORY = Path(__file__).resolve().parent
