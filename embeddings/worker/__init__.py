"""The worker side: owns the model holder of this process. Imported by Celery workers only."""
