"""An offline emulator of the Azure ML SDK v1 subset this project uses (see emulator/README.md)."""
