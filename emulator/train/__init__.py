"""The ``azureml.train`` packages: HyperDrive (``emulator.train.hyperdrive``) and AutoML."""
