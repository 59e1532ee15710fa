"""What the web side and the workers agree on: task names, Redis keys, reply errors, the vector encoding.

Plain Python, no Django and no worker code: both sides import it, so each fact is written once.
"""
