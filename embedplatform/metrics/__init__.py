"""`/metrics` in Prometheus' format: the web's request latency by route, and whatever collectors the URLconf
adds (the embeddings app's: its workers and request queues).

Several processes serve the web: embedplatform.web_server points PROMETHEUS_MULTIPROC_DIR at a
fresh directory where each process writes its values, and a scrape sums them (prometheus-client's
multiprocess mode). Without that variable (runserver, tests), the process's own registry answers.
"""
