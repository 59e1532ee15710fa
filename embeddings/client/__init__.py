"""The web side of the web/worker line: sends work to workers by task name and reads their replies and
heartbeats. Never imports worker code or a model library."""
