"""The scoring server: Azure ML's inference HTTP contract around any ``init()``/``run()`` entry script.

``python -m emulator.serving`` starts it under uvicorn; :mod:`emulator.core.webservice` launches it
as a local process or inside the scoring image (``deployments/Dockerfile``). This package imports
only the standard library and uvicorn, so it runs in the slim image.
"""
